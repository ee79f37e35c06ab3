/**
 * A string-keyed map that holds its first entry inline and becomes a `Map` at the second key:
 * most links only ever carry one or two flows, and an empty `Map` with its table costs a few
 * hundred bytes per link. Iteration order is insertion order, as a `Map`'s.
 */
export class SmallMap<V> {
  #key: string | undefined;
  #value: V | undefined;
  #map: Map<string, V> | undefined;

  get size(): number {
    return this.#map !== undefined ? this.#map.size : this.#key !== undefined ? 1 : 0;
  }

  get(key: string): V | undefined {
    if (this.#map !== undefined) return this.#map.get(key);
    return key === this.#key ? this.#value : undefined;
  }

  set(key: string, value: V): void {
    if (this.#map !== undefined) this.#map.set(key, value);
    else if (this.#key === undefined || this.#key === key) {
      this.#key = key;
      this.#value = value;
    } else {
      this.#map = new Map([
        [this.#key, this.#value as V],
        [key, value],
      ]);
      this.#key = this.#value = undefined;
    }
  }

  delete(key: string): boolean {
    if (this.#map !== undefined) return this.#map.delete(key);
    if (key !== this.#key) return false;
    this.#key = this.#value = undefined;
    return true;
  }

  clear(): void {
    this.#map?.clear();
    this.#key = this.#value = undefined;
  }

  /** The oldest entry (the least recently set, when entries are deleted and set again on use). */
  first(): [string, V] | undefined {
    if (this.#map !== undefined) return this.#map.entries().next().value;
    return this.#key === undefined ? undefined : [this.#key, this.#value as V];
  }

  entries(): IterableIterator<[string, V]> {
    if (this.#map !== undefined) return this.#map.entries();
    return (this.#key === undefined ? [] : [[this.#key, this.#value as V] as [string, V]]).values();
  }
}
