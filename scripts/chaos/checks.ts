/**
 * The verdict of a chaos run (PURE): Malipo's record held against the emulator's — what Daraja
 * really took and paid — and against itself. Every line returned is a violation.
 *
 * - every payment Daraja took is one attempt in Malipo, completed with its receipt and amount, or
 *   owed back (an overpayment, or refunded); nothing is completed that Daraja did not take;
 * - every B2C Daraja paid belongs to one payout, which succeeded with that receipt; no payout was
 *   paid twice or even sent twice; every succeeded payout was paid;
 * - every reversal Daraja made is one refund, succeeded; every succeeded refund was reversed;
 * - nothing is left moving; every event reached the receiver, signed.
 */

import type { ReceiverStats } from "./receiver.ts";
import type { DarajaRecord, MalipoRecord } from "./records.ts";

export interface Tally {
  payments: number;
  completed: number;
  /** Completed by STK Query alone: the receipt was never learnt (a refund of one needs a person). */
  completedWithoutReceipt: number;
  failed: number;
  /** What waits for a person: open payment reviews, payouts and refunds in `needs_review`. */
  forAPerson: number;
  overpaid: number;
  payouts: number;
  payoutsSucceeded: number;
  payoutsFailed: number;
  refunds: number;
  refundsSucceeded: number;
  refundsFailed: number;
  darajaTook: number;
  /** Taken by Daraja with both the push's answer and the callback lost: a person finds it (a review). */
  tookUnseen: number;
  darajaPaidOut: number;
  darajaReversed: number;
  webhookEvents: number;
  webhookRequests: number;
  /** Events the receiver acknowledged more than once (at least once is the promise). */
  webhookDuplicates: number;
}

const groupBy = <T>(items: T[], key: (item: T) => string | null) => {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
};

/** A payout's OriginatorConversationID is `<payoutId>-<attempt>`. */
export const payoutIdOf = (originatorConversationId: string) => originatorConversationId.replace(/-\d+$/, "");

export function checkMoney(daraja: DarajaRecord, malipo: MalipoRecord): string[] {
  const v: string[] = [];
  const byCheckout = groupBy(malipo.payments, (p) => p.checkout_request_id);
  const byReceipt = groupBy(malipo.payments, (p) => p.mpesa_receipt_number);
  const owed = new Set([...malipo.overpaid, ...malipo.refunds.map((r) => r.transaction_id)]);
  const taken = daraja.transactions.filter((t) => t.kind === "stk_payment");
  const takenReceipts = new Map(taken.map((t) => [t.receipt, t]));
  const heard = new Set(
    daraja.callbacks
      .filter((c) => c.status === "answered" && c.responseStatus === 200)
      .map((c) => c.checkoutRequestId),
  );
  const unconfirmed = new Set(
    malipo.reviews.filter((r) => r.review_key.startsWith("push_unconfirmed:")).map((r) => r.transaction_id),
  );
  const findable = malipo.payments.filter((p) => p.checkout_request_id === null && unconfirmed.has(p.id));
  // A person is asked to look for money only while Malipo itself cannot tell.
  for (const p of malipo.payments)
    if (unconfirmed.has(p.id) && p.checkout_request_id !== null)
      v.push(
        `payment ${p.id} is ${p.status} with Daraja's ids, yet its "money may have been taken" review is open`,
      );
  for (const t of taken) {
    const attempts = byCheckout.get(t.checkoutRequestId ?? "") ?? [];
    // The push's answer and its callback both lost: Malipo never learnt the CheckoutRequestID, so
    // no query can find it. It must be in front of a person: an open review of an attempt from
    // that phone for that amount ("money may have been taken").
    if (attempts.length === 0 && !heard.has(t.checkoutRequestId ?? "")) {
      const i = findable.findIndex((p) => p.phone_number === t.msisdn && p.amount === t.amount);
      if (i >= 0) {
        findable.splice(i, 1);
        continue;
      }
    }
    if (attempts.length !== 1) {
      v.push(
        `Daraja took KES ${t.amount} (${t.receipt}, ${t.checkoutRequestId}): ${attempts.length} attempts in Malipo`,
      );
      continue;
    }
    const p = attempts[0]!;
    if (p.status === "completed") {
      // Completed by STK Query alone (the callback never came), the receipt is not known: Query has none.
      const receiptOk = p.mpesa_receipt_number === t.receipt || p.mpesa_receipt_number === null;
      if (!receiptOk || p.amount !== t.amount)
        v.push(
          `payment ${p.id} completed with ${p.mpesa_receipt_number}/${p.amount}; Daraja took ${t.receipt}/${t.amount}`,
        );
    } else if (!owed.has(p.id))
      v.push(
        `Daraja took KES ${t.amount} (${t.receipt}) for payment ${p.id}, which is ${p.status} and not owed back`,
      );
  }
  for (const [receipt, payments] of byReceipt)
    if (payments.length > 1) v.push(`receipt ${receipt} is on ${payments.length} payments`);
  // A callback Malipo acknowledged names its attempt: that attempt knows the CheckoutRequestID since.
  const payments = new Map(malipo.payments.map((p) => [p.id, p]));
  for (const c of daraja.callbacks) {
    if (c.status !== "answered" || c.responseStatus !== 200) continue;
    const p = payments.get(new URL(c.url).searchParams.get("tx") ?? "");
    if (p && p.checkout_request_id !== c.checkoutRequestId)
      v.push(
        `payment ${p.id} acknowledged the callback of ${c.checkoutRequestId} but has ${p.checkout_request_id}`,
      );
  }
  const takenCheckouts = new Set(taken.map((t) => t.checkoutRequestId));
  for (const p of malipo.payments.filter((p) => p.status === "completed")) {
    const t = takenReceipts.get(p.mpesa_receipt_number ?? "");
    const known =
      p.mpesa_receipt_number === null
        ? takenCheckouts.has(p.checkout_request_id)
        : t?.checkoutRequestId === p.checkout_request_id;
    if (!known) v.push(`payment ${p.id} is completed (${p.mpesa_receipt_number}), but Daraja never took it`);
  }

  const paid = groupBy(
    daraja.transactions.filter((t) => t.kind === "b2c_payment"),
    (t) => (t.originatorConversationId ? payoutIdOf(t.originatorConversationId) : null),
  );
  const sent = groupBy(
    daraja.conversations.filter((c) => c.api === "b2c"),
    (c) => payoutIdOf(c.originatorConversationId),
  );
  const payouts = new Map(malipo.payouts.map((p) => [p.id, p]));
  for (const [id, made] of paid) {
    const p = payouts.get(id);
    if (made.length > 1)
      v.push(`payout ${id} was paid ${made.length} times: ${made.map((t) => t.receipt).join(", ")}`);
    const t = made[0]!;
    if (!p) v.push(`Daraja paid KES ${t.amount} (${t.receipt}) for ${id}, which Malipo does not have`);
    else if (
      p.status !== "succeeded" ||
      p.receipt !== t.receipt ||
      p.amount !== t.amount ||
      p.phone_number !== t.msisdn
    )
      v.push(
        `Daraja paid payout ${id} (${t.receipt}, KES ${t.amount}); Malipo has it ${p.status} with ${p.receipt}`,
      );
  }
  for (const [id, requests] of sent)
    if (requests.length > 1) v.push(`payout ${id} was sent to Daraja ${requests.length} times`);
  for (const p of malipo.payouts)
    if (p.status === "succeeded" && !paid.has(p.id))
      v.push(`payout ${p.id} is succeeded but Daraja never paid it`);

  const reversed = groupBy(
    daraja.transactions.filter((t) => t.kind === "reversal"),
    (t) => t.originalReceipt,
  );
  const refundsByReceipt = groupBy(malipo.refunds, (r) => r.original_receipt);
  for (const [receipt, made] of reversed) {
    const refunds = refundsByReceipt.get(receipt) ?? [];
    if (made.length > 1) v.push(`payment ${receipt} was reversed ${made.length} times`);
    if (refunds.length !== 1)
      v.push(`Daraja reversed ${receipt}; Malipo has ${refunds.length} refunds of it`);
    else if (refunds[0]!.status !== "succeeded")
      v.push(`Daraja reversed ${receipt}; refund ${refunds[0]!.id} is ${refunds[0]!.status}`);
  }
  for (const r of malipo.refunds)
    if (r.status === "succeeded" && !reversed.has(r.original_receipt ?? ""))
      v.push(`refund ${r.id} is succeeded but Daraja never reversed ${r.original_receipt}`);
  return v;
}

export function checkSettled(daraja: DarajaRecord, malipo: MalipoRecord): string[] {
  const v = Object.entries(malipo.open)
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `left open: ${n} ${what}`);
  if (daraja.pendingSessions > 0) v.push(`left open at Daraja: ${daraja.pendingSessions} prompts`);
  return v;
}

export function checkWebhooks(malipo: MalipoRecord, receiver: ReceiverStats): string[] {
  const v = receiver.badSignatures.map((why) => `webhook with a bad signature: ${why}`);
  const events = new Set(malipo.events.map((e) => e.id));
  const delivered = new Set(malipo.deliveries.map((d) => d.event_id));
  for (const e of malipo.events) {
    if (!delivered.has(e.id)) v.push(`event ${e.id} (${e.type}) has no delivery to the receiver`);
    else if (!receiver.acknowledged.has(e.id)) v.push(`event ${e.id} (${e.type}) never reached the receiver`);
  }
  for (const d of malipo.deliveries)
    if (d.status !== "delivered")
      v.push(`delivery of ${d.event_id} is ${d.status} after ${d.attempts} attempts`);
  for (const id of receiver.acknowledged.keys())
    if (!events.has(id)) v.push(`the receiver got ${id}, which is no event of Malipo's`);
  return v;
}

export function tally(daraja: DarajaRecord, malipo: MalipoRecord, receiver: ReceiverStats): Tally {
  const known = new Set(malipo.payments.map((p) => p.checkout_request_id));
  const count = <T extends { status: string }>(rows: T[], status: string) =>
    rows.filter((r) => r.status === status).length;
  return {
    payments: malipo.payments.length,
    completed: count(malipo.payments, "completed"),
    completedWithoutReceipt: malipo.payments.filter(
      (p) => p.status === "completed" && !p.mpesa_receipt_number,
    ).length,
    failed: count(malipo.payments, "failed"),
    forAPerson:
      malipo.openReviews + count(malipo.payouts, "needs_review") + count(malipo.refunds, "needs_review"),
    overpaid: new Set(malipo.overpaid).size,
    payouts: malipo.payouts.length,
    payoutsSucceeded: count(malipo.payouts, "succeeded"),
    payoutsFailed: count(malipo.payouts, "failed"),
    refunds: malipo.refunds.length,
    refundsSucceeded: count(malipo.refunds, "succeeded"),
    refundsFailed: count(malipo.refunds, "failed"),
    darajaTook: daraja.transactions.filter((t) => t.kind === "stk_payment").length,
    tookUnseen: daraja.transactions.filter((t) => t.kind === "stk_payment" && !known.has(t.checkoutRequestId))
      .length,
    darajaPaidOut: daraja.transactions.filter((t) => t.kind === "b2c_payment").length,
    darajaReversed: daraja.transactions.filter((t) => t.kind === "reversal").length,
    webhookEvents: malipo.events.length,
    webhookRequests: receiver.requests,
    webhookDuplicates: [...receiver.acknowledged.values()].filter((n) => n > 1).length,
  };
}
