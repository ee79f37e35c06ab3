/**
 * The part of vitest's API the transport compliance suite uses (`describe`, `it`, `expect` with
 * the matchers it calls), so the very same suite runs inside a page. The page bundle maps the
 * `vitest` import here; {@link runRegistered} then runs the registered tests one by one.
 */

type TestFn = () => unknown;
interface Registered {
  readonly name: string;
  readonly fn: TestFn;
}

const registered: Registered[] = [];
const scope: string[] = [];

export function describe(name: string, fn: () => void): void {
  scope.push(name);
  try {
    fn();
  } finally {
    scope.pop();
  }
}

export function it(name: string, fn: TestFn): void {
  registered.push({ name: [...scope, name].join(' > '), fn });
}

export interface TestOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

/** Runs every registered test in order (each bounded by `timeoutMs`) and forgets them. */
export async function runRegistered(timeoutMs = 30_000): Promise<TestOutcome[]> {
  const outcomes: TestOutcome[] = [];
  for (const test of registered.splice(0)) {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(test.fn),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))),
      ]);
      outcomes.push({ name: test.name, ok: true, ms: performance.now() - started });
    } catch (error) {
      outcomes.push({
        name: test.name,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        ms: performance.now() - started,
      });
    } finally {
      clearTimeout(timer);
    }
  }
  return outcomes;
}

class ObjectContaining {
  constructor(readonly expected: Record<string, unknown>) {}
}

const show = (value: unknown): string => {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v)) ?? String(value);
  } catch {
    return String(value);
  }
};

function equals(actual: unknown, expected: unknown, subset: boolean): boolean {
  if (expected instanceof ObjectContaining) return matches(actual, expected.expected);
  if (Object.is(actual, expected)) return true;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return false;
  if (expected instanceof Uint8Array) {
    return actual instanceof Uint8Array && actual.length === expected.length && actual.every((b, i) => b === expected[i]);
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => equals(actual[i], e, subset));
  }
  if (subset) return matches(actual, expected as Record<string, unknown>);
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ka = keys(a);
  const ke = keys(e);
  return ka.length === ke.length && ke.every((k) => equals(a[k], e[k], false));
}

function matches(actual: unknown, expected: Record<string, unknown>): boolean {
  if (typeof actual !== 'object' || actual === null) return false;
  const a = actual as Record<string, unknown>;
  return Object.keys(expected).every((k) => equals(a[k], expected[k], true));
}

function check(pass: boolean, message: () => string): void {
  if (!pass) throw new Error(message());
}

function matchers(actual: unknown, label: string | undefined, negate: boolean) {
  const prefix = label === undefined ? '' : `${label}: `;
  const assert = (pass: boolean, what: string) =>
    check(pass !== negate, () => `${prefix}expected ${show(actual)} ${negate ? 'not ' : ''}${what}`);
  return {
    toBe: (expected: unknown) => assert(Object.is(actual, expected), `to be ${show(expected)}`),
    toEqual: (expected: unknown) => assert(equals(actual, expected, false), `to equal ${show(expected)}`),
    toMatchObject: (expected: Record<string, unknown>) => assert(matches(actual, expected), `to match ${show(expected)}`),
    toHaveLength: (length: number) => assert((actual as { length?: unknown } | null)?.length === length, `to have length ${length}`),
    toContain: (item: unknown) => assert(Array.isArray(actual) && actual.includes(item), `to contain ${show(item)}`),
    toBeTypeOf: (type: string) => assert(typeof actual === type, `to be of type ${type}`),
    toBeGreaterThan: (n: number) => assert(typeof actual === 'number' && actual > n, `to be greater than ${n}`),
  };
}

export const expect = Object.assign(
  (actual: unknown, label?: string) => ({
    ...matchers(actual, label, false),
    not: matchers(actual, label, true),
    rejects: {
      async toMatchObject(expected: Record<string, unknown>): Promise<void> {
        let reason: unknown;
        let rejected = false;
        try {
          await (actual as Promise<unknown>);
        } catch (error) {
          rejected = true;
          reason = error;
        }
        check(rejected, () => 'expected the promise to reject');
        matchers(reason, label, false).toMatchObject(expected);
      },
    },
  }),
  { objectContaining: (expected: Record<string, unknown>) => new ObjectContaining(expected) },
);
