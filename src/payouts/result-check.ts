/**
 * Never trust a Daraja result without checking it against what we sent (PURE). A result that
 * names other ids, another amount, another recipient or another original receipt is not ours to
 * settle: the item goes to review instead.
 */
import { couldBeMsisdn } from "../daraja/phone.ts";

/** The facts of a B2C, Reversal or Transaction Status result as the Daraja client parsed them. */
export interface ResultFacts {
  resultCode: string;
  resultDesc: string;
  conversationId: string | null;
  originatorConversationId: string | null;
  /** Daraja's TransactionID for this movement (B2C or reversal receipt); null when absent or a placeholder. */
  receipt: string | null;
  /** Whole KES moved, as reported; null when the result does not say. */
  amount: number | null;
  /** Canonical MSISDN of who received the money; null when not reported or unreadable. */
  recipient: string | null;
  /** Reversals: the receipt that was reversed (OriginalTransactionID). */
  originalReceipt: string | null;
}

/** What we sent, as far as a result can be checked against it. */
export interface SentFacts {
  amount: number;
  recipient: string;
  conversationId: string | null;
  originatorConversationId: string | null;
  originalReceipt: string | null;
}

/**
 * Null when the result agrees with what we sent; otherwise what differs. Ids we do not hold yet
 * (a lost submit answer) cannot be compared; ids we hold must match. `requireAmount`: a success
 * that does not say how much moved cannot be settled.
 */
export function checkResult(
  facts: ResultFacts,
  sent: SentFacts,
  options: { requireAmount: boolean },
): string | null {
  if (differs(facts.conversationId, sent.conversationId)) return "ConversationID differs";
  if (differs(facts.originatorConversationId, sent.originatorConversationId))
    return "OriginatorConversationID differs";
  if (facts.amount === null) {
    if (options.requireAmount) return "the result does not say the amount";
  } else if (facts.amount !== sent.amount)
    return `amount ${facts.amount} differs from the ${sent.amount} sent`;
  if (facts.recipient !== null && !sameRecipient(facts.recipient, sent.recipient)) return "recipient differs";
  if (differs(facts.originalReceipt, sent.originalReceipt)) return "original receipt differs";
  return null;
}

/**
 * The number the result names is the one we sent to — or, for money found on the M-Pesa statement
 * whose payer we only know masked (`25470****149`), one it could be.
 */
function sameRecipient(reported: string, sent: string): boolean {
  return reported === sent || (sent.includes("*") && couldBeMsisdn(sent, reported));
}

function differs(reported: string | null, ours: string | null): boolean {
  return reported !== null && ours !== null && reported !== ours;
}
