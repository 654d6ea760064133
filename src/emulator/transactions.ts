/**
 * The M-Pesa transactions the emulator has made, by receipt: customer payments (STK), B2C payouts
 * and reversals. Transaction Status reads them; a reversal marks its original; the simulated phone
 * lists the money a number received.
 */
import type { StkSession } from "./sessions.ts";

export type TransactionKind = "stk_payment" | "b2c_payment" | "reversal";

export interface MpesaTransaction {
  receipt: string;
  kind: TransactionKind;
  /** The organisation's shortcode. */
  shortcode: string;
  organisationName: string;
  /** The customer's number: who paid (STK), who was paid (B2C), who got money back (reversal). */
  msisdn: string;
  /** Public name shown in results: `"JOHN DOE"`. */
  customerName: string;
  amount: number;
  chargeKes: number;
  /** For B2C: `BusinessPayment` …; for a reversal `TransactionReversal`; STK `CustomerPayBillOnline` …. */
  commandId: string;
  initiatedAt: Date;
  completedAt: Date;
  /** The request that made it (B2C, reversal); null for an STK payment. */
  conversationId: string | null;
  originatorConversationId: string | null;
  /** STK: the CheckoutRequestID. */
  checkoutRequestId: string | null;
  /** The receipt a reversal reversed. */
  originalReceipt: string | null;
  /** Set on a payment once a reversal of it went through. */
  reversedBy: string | null;
}

const MAX_TRANSACTIONS = 5_000;

export class TransactionStore {
  readonly #byReceipt = new Map<string, MpesaTransaction>();
  readonly #max: number;

  constructor(max = MAX_TRANSACTIONS) {
    this.#max = max;
  }

  add(transaction: MpesaTransaction): void {
    this.#byReceipt.set(transaction.receipt, transaction);
    if (this.#byReceipt.size > this.#max) {
      const oldest = this.#byReceipt.keys().next().value;
      if (oldest !== undefined) this.#byReceipt.delete(oldest);
    }
  }

  get(receipt: string): MpesaTransaction | undefined {
    return this.#byReceipt.get(receipt);
  }

  has(receipt: string): boolean {
    return this.#byReceipt.has(receipt);
  }

  /** The transaction made by the request with this OriginatorConversationID or ConversationID. */
  byConversation(id: string): MpesaTransaction | undefined {
    for (const t of this.#byReceipt.values())
      if (t.originatorConversationId === id || t.conversationId === id) return t;
    return undefined;
  }

  /** Newest first. */
  list(filter: { msisdn?: string; kind?: TransactionKind; limit?: number } = {}): MpesaTransaction[] {
    const out: MpesaTransaction[] = [];
    for (const t of [...this.#byReceipt.values()].reverse()) {
      if (filter.msisdn !== undefined && t.msisdn !== filter.msisdn) continue;
      if (filter.kind !== undefined && t.kind !== filter.kind) continue;
      out.push(t);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  /** Money that reached a phone (payouts and reversals), newest first. */
  receivedBy(msisdn: string, limit = 10): MpesaTransaction[] {
    return this.list({ msisdn })
      .filter((t) => t.kind !== "stk_payment")
      .slice(0, limit);
  }

  clear(): void {
    this.#byReceipt.clear();
  }
}

const NAMES = [
  "JOHN DOE",
  "JANE WANJIKU",
  "PETER OTIENO",
  "MARY AKINYI",
  "JAMES KAMAU",
  "GRACE MUTHONI",
  "DAVID KIPCHOGE",
  "ESTHER NJERI",
];

/** The registered name M-Pesa shows for a number (254708374149 is the sandbox's JOHN DOE). */
export function customerNameOf(msisdn: string): string {
  if (msisdn === "254708374149") return "JOHN DOE";
  let hash = 0;
  for (const ch of msisdn) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return NAMES[hash % NAMES.length] ?? "JOHN DOE";
}

/** The transaction a paid STK session made, or null when it did not end in a payment. */
export function stkPaymentTransaction(session: StkSession, now: Date): MpesaTransaction | null {
  if (session.result?.kind !== "paid" || session.receipt === null) return null;
  return {
    receipt: session.receipt.mpesaReceiptNumber,
    kind: "stk_payment",
    shortcode: session.shortcode,
    organisationName: session.businessName,
    msisdn: session.phoneNumber,
    customerName: customerNameOf(session.phoneNumber),
    amount: session.amount,
    chargeKes: 0,
    commandId: session.transactionType,
    initiatedAt: session.createdAt,
    completedAt: session.completedAt ?? now,
    conversationId: null,
    originatorConversationId: null,
    checkoutRequestId: session.checkoutRequestId,
    originalReceipt: null,
    reversedBy: null,
  };
}
