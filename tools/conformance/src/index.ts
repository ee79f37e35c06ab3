/**
 * Loaders for the spec vectors in `tools/conformance/vectors` (see the README there).
 * @packageDocumentation
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the vectors folder. */
export const VECTORS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../vectors');

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(VECTORS_DIR, '../../..');

/** Parsed JSON of a file by path relative to the repository root (e.g. `docs/schema/envelope.schema.json`). */
export function readRepoJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, relativePath), 'utf8')) as T;
}

/** Parsed JSON of a vector file, by path relative to the vectors folder (e.g. `security/signed-envelopes.json`). */
export function readVector<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, relativePath), 'utf8')) as T;
}

/** Relative paths of every `.json` vector file, core ones first. */
export function listVectorFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(VECTORS_DIR, dir), { withFileTypes: true })
      .sort((a, b) => Number(a.isDirectory()) - Number(b.isDirectory()) || a.name.localeCompare(b.name))
      .flatMap((entry) => {
        const rel = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) return walk(rel);
        return entry.name.endsWith('.json') ? [rel] : [];
      });
  return walk('');
}

export interface FoundEnvelope {
  /** JSON pointer inside the vector file. */
  readonly pointer: string;
  readonly envelope: Record<string, unknown>;
}

/** Every object inside `value` that looks like an envelope (has a `frame` object with a string `type`). */
export function findEnvelopes(value: unknown, pointer = ''): FoundEnvelope[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => findEnvelopes(item, `${pointer}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const frame = record.frame as { type?: unknown } | undefined;
  const here = typeof frame === 'object' && frame !== null && typeof frame.type === 'string' ? [{ pointer, envelope: record }] : [];
  return [...here, ...Object.entries(record).flatMap(([key, item]) => findEnvelopes(item, `${pointer}/${key}`))];
}

/** A captured message of a core vector file (`messages[]`). */
export interface CapturedMessage {
  readonly link?: string;
  readonly direction?: 'child->parent' | 'parent->child';
  readonly wsFrame?: 'binary' | 'text';
  readonly envelope?: Record<string, unknown>;
  readonly kind?: string;
  readonly [key: string]: unknown;
}

export function capturedMessages(relativePath: string): CapturedMessage[] {
  return readVector<{ messages: CapturedMessage[] }>(relativePath).messages;
}
