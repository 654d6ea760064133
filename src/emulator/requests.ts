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

const MAX_REQUESTS = 2_000;

export class RequestLog {
  readonly #entries: RecordedRequest[] = [];
  #counter = 0;

  record(entry: Omit<RecordedRequest, "id">): RecordedRequest {
    this.#counter += 1;
    const recorded = { id: this.#counter, ...entry };
    this.#entries.push(recorded);
    if (this.#entries.length > MAX_REQUESTS) this.#entries.shift();
    return recorded;
  }

  /** Oldest first. */
  list(filter: { path?: string } = {}): RecordedRequest[] {
    return this.#entries.filter((e) => filter.path === undefined || e.url.split("?")[0] === filter.path);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
