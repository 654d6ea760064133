/**
 * A conversation: one accepted B2C, Reversal, Transaction Status or Account Balance request, from
 * its synchronous acceptance to its result. The store also remembers every OriginatorConversationID
 * a B2C v3 request used, to refuse duplicates as Daraja does.
 */
import type { PayoutOutcome } from "./payout-outcomes.ts";

export type InitiatorApi = "b2c" | "reversal" | "transaction_status" | "account_balance";

export type ConversationStatus = "pending" | "completed" | "timed_out";

export interface ConversationResult {
  /** As in the result body: a number, or a string for R0000xx codes. */
  resultCode: number | string;
  resultDesc: string;
  /** The TransactionID of the result (a receipt or a `XXX0000000` placeholder). */
  transactionId: string;
}

export interface Conversation {
  conversationId: string;
  originatorConversationId: string;
  api: InitiatorApi;
  /** Path and query the request was sent to (`/mpesa/b2c/v1/paymentrequest`). */
  path: string;
  /** PartyA (B2C, queries) or ReceiverParty (reversal). */
  shortcode: string;
  initiatorName: string;
  /** Whether the SecurityCredential decrypted to that initiator's password. */
  credentialValid: boolean;
  /** Exactly as given; the result goes here, query string intact. */
  resultUrl: string;
  queueTimeoutUrl: string;
  /** B2C: PartyB; reversal: the payer of the original; queries: null. */
  msisdn: string | null;
  amount: number | null;
  /** The outcome the customer's number chose (B2C and reversal). */
  outcome: PayoutOutcome | null;
  /** The sync answer was never sent (fault `asyncResponseDropped`). */
  responseLost: boolean;
  status: ConversationStatus;
  createdAt: Date;
  completedAt: Date | null;
  result: ConversationResult | null;
  /** The request body as received, SecurityCredential left out. */
  request: Record<string, unknown>;
}

const MAX_CONVERSATIONS = 2_000;

export class ConversationStore {
  readonly #byId = new Map<string, Conversation>();
  readonly #originatorIds = new Set<string>();
  readonly #max: number;

  constructor(max = MAX_CONVERSATIONS) {
    this.#max = max;
  }

  add(conversation: Conversation): void {
    this.#byId.set(conversation.conversationId, conversation);
    if (conversation.api === "b2c") this.#originatorIds.add(conversation.originatorConversationId);
    if (this.#byId.size > this.#max) {
      for (const [id, c] of this.#byId) {
        if (this.#byId.size <= this.#max) break;
        if (c.status !== "pending") this.#byId.delete(id);
      }
    }
  }

  get(conversationId: string): Conversation | undefined {
    return this.#byId.get(conversationId);
  }

  /** Has a B2C request already used this OriginatorConversationID? (Remembered beyond the list's limit.) */
  usedOriginatorId(originatorConversationId: string): boolean {
    return this.#originatorIds.has(originatorConversationId);
  }

  byOriginatorId(originatorConversationId: string): Conversation | undefined {
    for (const c of this.#byId.values())
      if (c.originatorConversationId === originatorConversationId) return c;
    return undefined;
  }

  /** Newest first. */
  list(
    filter: { api?: InitiatorApi; msisdn?: string; originatorConversationId?: string; limit?: number } = {},
  ): Conversation[] {
    const out: Conversation[] = [];
    for (const c of [...this.#byId.values()].reverse()) {
      if (filter.api !== undefined && c.api !== filter.api) continue;
      if (filter.msisdn !== undefined && c.msisdn !== filter.msisdn) continue;
      if (
        filter.originatorConversationId !== undefined &&
        c.originatorConversationId !== filter.originatorConversationId
      )
        continue;
      out.push(c);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  clear(): void {
    this.#byId.clear();
    this.#originatorIds.clear();
  }
}
