/**
 * What a stored Daraja notice means for its payout or refund (PURE): the body parsed by the Daraja
 * client's parsers, its code read from the initiator result tables, turned into the event the state
 * machine expects. Whether the facts match what we sent is the state machine's check
 * (`checkResult`); here only what cannot be an event is refused: a body that is not a result, a B2C
 * notice about a refund, a failure, lack of funds or timeout naming other Daraja ids than the ones
 * we hold (it is about another request; a success naming them goes to review: money may have moved).
 *
 * - B2C `0` → result_success; `1` → insufficient_funds; a documented failure → result_failure.
 * - Reversal `0` → result_success; `R000001` → already_reversed (success, never a second payment).
 * - A code we do not know → result_overdue: never success, never failure; Transaction Status decides.
 * - A notice on QueueTimeOutURL → queue_timeout (unknown), never a failure by itself.
 * - Transaction Status: a payout is found by its OriginatorConversationID (`Completed` = paid); a
 *   refund by the receipt it reverses (`Reversed` = refunded, `Completed` = not reversed yet).
 */
import { classifyInitiatorResult } from "../daraja/initiator-result-codes.ts";
import { parseB2cResult, parseReversalResult } from "../daraja/payment-results.ts";
import { parseTransactionStatusResult, type TransactionStatusResult } from "../daraja/query-results.ts";
import type { ResultHeader } from "../daraja/result-envelope.ts";
import type { PayoutKind, PayoutResultRoute } from "../db/schema.ts";
import type { PayoutEvent, ResultFacts, StatusFinding } from "./state-machine.ts";

export type ResultMeaning =
  | { kind: "event"; event: PayoutEvent }
  /** Stored, but nothing for the item to do (a status query that timed out). */
  | { kind: "nothing"; reason: string }
  | { kind: "refused"; reason: string };

/** What we hold of the item the notice is about. */
export interface HeldIds {
  kind: PayoutKind;
  conversationId: string | null;
  originatorConversationId: string | null;
}

const refused = (reason: string): ResultMeaning => ({ kind: "refused", reason });
const event = (e: PayoutEvent): ResultMeaning => ({ kind: "event", event: e });

const ROUTE_KIND: Readonly<Record<PayoutResultRoute, PayoutKind | null>> = {
  b2c_result: "payout",
  b2c_timeout: "payout",
  reversal_result: "refund",
  reversal_timeout: "refund",
  status_result: null,
  status_timeout: null,
};

function headerFacts(h: ResultHeader): ResultFacts {
  return {
    resultCode: h.resultCode,
    resultDesc: h.resultDesc,
    conversationId: h.conversationId,
    originatorConversationId: h.originatorConversationId,
    receipt: null,
    amount: null,
    recipient: null,
    originalReceipt: null,
  };
}

/** A B2C or reversal notice that names ids we hold must name ours. */
function otherRequest(h: ResultHeader, held: HeldIds): string | null {
  if (held.conversationId !== null && h.conversationId !== held.conversationId)
    return "it names another ConversationID than the request we hold";
  if (held.originatorConversationId !== null && h.originatorConversationId !== held.originatorConversationId)
    return "it names another OriginatorConversationID than the request we hold";
  return null;
}

export function meaningOf(route: PayoutResultRoute, body: string, held: HeldIds): ResultMeaning {
  const routeKind = ROUTE_KIND[route];
  if (routeKind !== null && routeKind !== held.kind)
    return refused(`a ${route.replace("_", " ")} cannot be about a ${held.kind}`);
  switch (route) {
    case "b2c_result":
      return b2cResult(body, held);
    case "reversal_result":
      return reversalResult(body, held);
    case "b2c_timeout":
    case "reversal_timeout": {
      // The notice's shape is not documented: whatever comes is "unknown"; only ids it names are checked.
      const parsed = (route === "b2c_timeout" ? parseB2cResult : parseReversalResult)(body);
      const other = parsed.ok ? otherRequest(parsed.value, held) : null;
      return other === null ? event({ type: "queue_timeout" }) : refused(`queue timeout refused: ${other}`);
    }
    case "status_result":
      return statusResult(body, held.kind);
    case "status_timeout":
      return { kind: "nothing", reason: "the Transaction Status query timed out; it is asked again later" };
    default: {
      const _exhaustive: never = route;
      return _exhaustive;
    }
  }
}

/**
 * A failure says no money moved for the request it names. About another request (an earlier
 * attempt's, delivered late after a retry) it says nothing about ours, which stays in flight.
 */
function failureOf(h: ResultHeader, held: HeldIds, facts: ResultFacts): ResultMeaning {
  const other = otherRequest(h, held);
  if (other !== null) return refused(`failure result refused: ${other}`);
  return event({ type: "result_failure", facts });
}

function b2cResult(body: string, held: HeldIds): ResultMeaning {
  const parsed = parseB2cResult(body);
  if (!parsed.ok) return refused(`not a B2C result: ${parsed.error.message}`);
  const r = parsed.value;
  const facts: ResultFacts = {
    ...headerFacts(r),
    receipt: r.receipt,
    amount: r.amount,
    recipient: r.recipient?.msisdn ?? null,
  };
  const code = classifyInitiatorResult("b2c_payment", r.resultCode);
  switch (code.outcome) {
    case "succeeded":
      return event({ type: "result_success", facts });
    case "insufficient_funds": {
      const other = otherRequest(r, held);
      if (other !== null) return refused(`insufficient funds result refused: ${other}`);
      return event({
        type: "insufficient_funds",
        resultCode: r.resultCode,
        resultDesc: r.resultDesc,
        conversationId: r.conversationId,
      });
    }
    case "failed":
      return failureOf(r, held, facts);
    case "already_reversed":
    case "not_found":
    case "unknown":
      return event({ type: "result_overdue" });
    default: {
      const _exhaustive: never = code;
      return _exhaustive;
    }
  }
}

function reversalResult(body: string, held: HeldIds): ResultMeaning {
  const parsed = parseReversalResult(body);
  if (!parsed.ok) return refused(`not a reversal result: ${parsed.error.message}`);
  const r = parsed.value;
  const facts: ResultFacts = {
    ...headerFacts(r),
    receipt: r.receipt,
    amount: r.amount,
    recipient: r.creditParty?.msisdn ?? null,
    originalReceipt: r.originalTransactionId,
  };
  const code = classifyInitiatorResult("reversal", r.resultCode);
  switch (code.outcome) {
    case "succeeded":
      return event({ type: "result_success", facts });
    case "already_reversed":
      return event({ type: "already_reversed", facts });
    case "insufficient_funds": {
      const other = otherRequest(r, held);
      if (other !== null) return refused(`insufficient funds result refused: ${other}`);
      return event({
        type: "insufficient_funds",
        resultCode: r.resultCode,
        resultDesc: r.resultDesc,
        conversationId: r.conversationId,
      });
    }
    case "failed":
      return failureOf(r, held, facts);
    case "not_found":
    case "unknown":
      return event({ type: "result_overdue" });
    default: {
      const _exhaustive: never = code;
      return _exhaustive;
    }
  }
}

function statusResult(body: string, kind: PayoutKind): ResultMeaning {
  const parsed = parseTransactionStatusResult(body);
  if (!parsed.ok) return refused(`not a Transaction Status result: ${parsed.error.message}`);
  const r = parsed.value;
  // The header's ids are the query's own: the facts are those of the transaction it found.
  const none = { ...headerFacts(r), conversationId: null, originatorConversationId: null };
  const code = classifyInitiatorResult("transaction_status", r.resultCode);
  if (code.outcome === "not_found")
    return event({ type: "status_result", finding: "not_found", facts: none });
  if (code.outcome !== "succeeded" || r.transaction === null)
    // The query itself failed (or said nothing): ask again later, believe neither side.
    return event({ type: "status_result", finding: "pending", facts: none });
  return event({ type: "status_result", ...findingOf(r, kind) });
}

function findingOf(
  r: TransactionStatusResult,
  kind: PayoutKind,
): { finding: StatusFinding; facts: ResultFacts } {
  const t = r.transaction;
  const status = (t?.status ?? "").toLowerCase();
  const base = headerFacts(r);
  if (kind === "payout") {
    const facts: ResultFacts = {
      ...base,
      conversationId: t?.conversationId ?? null,
      originatorConversationId: t?.originatorConversationId ?? null,
      receipt: t?.receipt ?? null,
      amount: t?.amount ?? null,
      recipient: t?.creditParty?.msisdn ?? null,
    };
    if (status === "completed") return { finding: "completed", facts };
    if (/fail|declin|cancel|revers/.test(status)) return { finding: "failed", facts };
    return { finding: "pending", facts };
  }
  // A refund asks about the payment it reverses: that payment's receipt, amount and payer.
  const facts: ResultFacts = {
    ...base,
    conversationId: null,
    originatorConversationId: null,
    amount: t?.amount ?? null,
    // DebitPartyName may repeat (organisation and customer): the payer is the one with a phone number.
    recipient: t?.debitParties.find((party) => party.msisdn !== null)?.msisdn ?? null,
    originalReceipt: t?.receipt ?? null,
  };
  if (status === "reversed") return { finding: "completed", facts };
  if (status === "completed") return { finding: "not_found", facts };
  return { finding: "pending", facts };
}
