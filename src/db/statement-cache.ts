/**
 * A bounded least-recently-used map from SQL text to what the driver made of it (a prepared
 * statement on SQLite, a statement name on PostgreSQL). Kysely compiles the same text for the same
 * query shape every time, so the few hundred shapes the application has are prepared once per
 * connection; the bound keeps a stream of ad-hoc texts (IN lists of every length) from growing it
 * without limit.
 */

/** Statements kept per connection; the application has far fewer distinct shapes than this. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

export interface StatementCacheStats {
  /** Texts held now (never more than the bound). */
  size: number;
  /** Times a text was prepared (first use, or again after it was evicted). */
  prepares: number;
  /** Times a held statement was reused. */
  hits: number;
  evictions: number;
}

export class StatementCache<T> {
  readonly #max: number;
  readonly #entries = new Map<string, T>();
  readonly #onEvict: ((value: T, text: string) => void) | undefined;
  #prepares = 0;
  #hits = 0;
  #evictions = 0;

  constructor(max: number, onEvict?: (value: T, text: string) => void) {
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError("statement cache size must be a whole number ≥ 1");
    this.#max = max;
    this.#onEvict = onEvict;
  }

  /** The held value for `text`, made by `make` when there is none; the oldest is evicted beyond the bound. */
  get(text: string, make: (text: string) => T): T {
    const held = this.#entries.get(text);
    if (held !== undefined) {
      this.#hits++;
      // Most recently used last: Map keeps insertion order.
      this.#entries.delete(text);
      this.#entries.set(text, held);
      return held;
    }
    const made = make(text);
    this.#prepares++;
    this.#entries.set(text, made);
    if (this.#entries.size > this.#max) {
      const [oldest, value] = this.#entries.entries().next().value as [string, T];
      this.#entries.delete(oldest);
      this.#evictions++;
      this.#onEvict?.(value, oldest);
    }
    return made;
  }

  delete(text: string): void {
    this.#entries.delete(text);
  }

  clear(): void {
    this.#entries.clear();
  }

  stats(): StatementCacheStats {
    return {
      size: this.#entries.size,
      prepares: this.#prepares,
      hits: this.#hits,
      evictions: this.#evictions,
    };
  }
}
