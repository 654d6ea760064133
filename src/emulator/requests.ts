/** A bounded log of the Daraja API calls the emulator answered, for tests and the control API. */
export interface RecordedRequest {
  id: number;
  at: Date;
  method: string;
  /** Path and query string as requested. */
  url: string;
  /** HTTP status sent, or "dropped" when the connection was destroyed instead of answered. */
  status: number | "dropped";
  errorCode: string | null;
  requestId: string | null;
  checkoutRequestId: string | null;
  /** B2C, reversal and queries: the ConversationID of the accepted request. */
  conversationId: string | null;
  /** The parsed JSON body (null for GET or an unparsed body). */
  body: unknown;
}

export const MAX_REQUESTS = 2_000;

export class RequestLog {
  readonly #entries: RecordedRequest[] = [];
  /** Requests per path since start or reset: the log keeps only the latest, the totals all. */
  readonly #totals = new Map<string, number>();
  #counter = 0;

  record(entry: Omit<RecordedRequest, "id">): RecordedRequest {
    this.#counter += 1;
    const path = entry.url.split("?")[0] as string;
    this.#totals.set(path, (this.#totals.get(path) ?? 0) + 1);
    const recorded = { id: this.#counter, ...entry };
    this.#entries.push(recorded);
    if (this.#entries.length > MAX_REQUESTS) this.#entries.shift();
    return recorded;
  }

  /** Oldest first. */
  list(filter: { path?: string } = {}): RecordedRequest[] {
    return this.#entries.filter((e) => filter.path === undefined || e.url.split("?")[0] === filter.path);
  }

  /** Requests answered per path since start or reset, however many the log has let go. */
  totals(): Record<string, number> {
    return Object.fromEntries(this.#totals);
  }

  clear(): void {
    this.#entries.length = 0;
    this.#totals.clear();
  }
}
