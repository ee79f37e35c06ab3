import { DuplicateRegistrationError, NotRegisteredError } from '../errors.js';

export interface RegisterOptions {
  /** Replace an existing entry instead of refusing it. */
  readonly replace?: boolean;
}

/**
 * Named entries (factories, profiles, strategies) of one kind. Registering a name twice is an
 * error unless the caller says `replace: true`, so two packages can never silently shadow
 * each other's entries.
 */
export class Registry<T> {
  readonly #entries = new Map<string, T>();

  /** @param kind what the entries are, used in error messages (e.g. "security profile") */
  constructor(readonly kind: string) {}

  /** @throws DuplicateRegistrationError when `name` is taken and `replace` is not set */
  register(name: string, entry: T, options?: RegisterOptions): this {
    if (this.#entries.has(name) && !options?.replace) throw new DuplicateRegistrationError(this.kind, name);
    this.#entries.set(name, entry);
    return this;
  }

  /** @throws NotRegisteredError listing the known names */
  get(name: string): T {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new NotRegisteredError(this.kind, name, [...this.#entries.keys()]);
    return entry;
  }

  find(name: string): T | undefined {
    return this.#entries.get(name);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  unregister(name: string): boolean {
    return this.#entries.delete(name);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }
}
