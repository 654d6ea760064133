/**
 * The chaos run's verdict on small hand-made records: what Daraja took and paid held against what
 * Malipo recorded. Each violation it must find, and the honest hand-offs it must not call one.
 */
import { describe, expect, it } from "vitest";
import { checkMoney, checkSettled, checkWebhooks, tally } from "../../../scripts/chaos/checks.ts";
import type { ReceiverStats } from "../../../scripts/chaos/receiver.ts";
import type { DarajaRecord, DarajaTransaction, MalipoRecord } from "../../../scripts/chaos/records.ts";

const stk = (n: number, extra: Partial<DarajaTransaction> = {}): DarajaTransaction => ({
  receipt: `UAF000000${n}`,
  kind: "stk_payment",
  msisdn: "254720000001",
  amount: 500,
  checkoutRequestId: `ws_CO_${n}`,
  originatorConversationId: null,
  originalReceipt: null,
  reversedBy: null,
  ...extra,
});

const daraja = (transactions: DarajaTransaction[], extra: Partial<DarajaRecord> = {}): DarajaRecord => ({
  transactions,
  callbacks: transactions.map((t) => ({
    checkoutRequestId: t.checkoutRequestId ?? "",
    url: `http://127.0.0.1:3000/api/v1/payments/mpesa/callback?tx=pay_${t.receipt.slice(-1)}&sig=x`,
    status: "answered",
    responseStatus: 200,
    note: null,
    error: null,
    sentAt: null,
  })),
  conversations: [],
  pendingSessions: 0,
  faultsInjected: {},
  ...extra,
});

const payment = (n: number, extra: Partial<MalipoRecord["payments"][number]> = {}) => ({
  id: `pay_${n}`,
  status: "completed",
  checkout_request_id: `ws_CO_${n}`,
  mpesa_receipt_number: `UAF000000${n}`,
  amount: 500,
  phone_number: "254720000001",
  ...extra,
});

const malipo = (extra: Partial<MalipoRecord> = {}): MalipoRecord => ({
  payments: [],
  reviews: [],
  payouts: [],
  refunds: [],
  overpaid: [],
  open: { payments: 0, payouts: 0 },
  openReviews: 0,
  events: [],
  deliveries: [],
  ...extra,
});

describe("money in", () => {
  it("a payment Daraja took is completed once with its receipt, or owed back", () => {
    const took = daraja([stk(1), stk(2), stk(3)]);
    const ok = malipo({
      payments: [
        payment(1),
        payment(2, { status: "needs_review" }),
        payment(3, { mpesa_receipt_number: null }),
      ],
      overpaid: ["pay_2"],
    });
    expect(checkMoney(took, ok)).toEqual([]);
    const lost = malipo({ payments: [payment(1), payment(2, { status: "failed" })] });
    expect(checkMoney(daraja([stk(1), stk(2)]), lost)).toEqual([
      "Daraja took KES 500 (UAF0000002) for payment pay_2, which is failed and not owed back",
    ]);
  });

  it("nothing is completed that Daraja did not take, and no receipt counts twice", () => {
    const v = checkMoney(
      daraja([stk(1)]),
      malipo({ payments: [payment(1), payment(2, { mpesa_receipt_number: "UAF0000001" })] }),
    );
    expect(v).toContain("receipt UAF0000001 is on 2 payments");
    expect(v).toContain("payment pay_2 is completed (UAF0000001), but Daraja never took it");
  });

  it("money taken unseen (answer and callback lost) must be in front of a person", () => {
    const unseen = daraja([stk(1)], {
      callbacks: [
        {
          checkoutRequestId: "ws_CO_1",
          url: "http://m/cb?tx=pay_9",
          status: "suppressed",
          responseStatus: null,
          note: "lost",
          error: null,
          sentAt: null,
        },
      ],
    });
    const attempt = payment(9, { status: "failed", checkout_request_id: null, mpesa_receipt_number: null });
    const reviewed = malipo({
      payments: [attempt],
      reviews: [{ transaction_id: "pay_9", review_key: "push_unconfirmed:pay_9" }],
    });
    expect(checkMoney(unseen, reviewed)).toEqual([]);
    expect(tally(unseen, reviewed, receiverStats()).tookUnseen).toBe(1);
    expect(checkMoney(unseen, malipo({ payments: [attempt] }))).toHaveLength(1);
    // Once Daraja's answer is on the books, the review must be closed.
    const answered = malipo({
      payments: [payment(1)],
      reviews: [{ transaction_id: "pay_1", review_key: "push_unconfirmed:pay_1" }],
    });
    expect(checkMoney(daraja([stk(1)]), answered)).toEqual([
      `payment pay_1 is completed with Daraja's ids, yet its "money may have been taken" review is open`,
    ]);
    // Heard by Malipo (answered 200) yet linked to nothing: lost, whatever the reviews say.
    const heard = daraja([stk(1)], {
      callbacks: [
        {
          checkoutRequestId: "ws_CO_1",
          url: "http://m/cb?tx=pay_9",
          status: "answered",
          responseStatus: 200,
          note: null,
          error: null,
          sentAt: null,
        },
      ],
    });
    expect(checkMoney(heard, reviewed)).toEqual([
      "Daraja took KES 500 (UAF0000001, ws_CO_1): 0 attempts in Malipo",
      "payment pay_9 acknowledged the callback of ws_CO_1 but has null",
    ]);
  });
});

describe("money out", () => {
  const b2c = (receipt: string, ocid: string): DarajaTransaction => ({
    ...stk(0),
    kind: "b2c_payment",
    receipt,
    amount: 450,
    msisdn: "254730000001",
    checkoutRequestId: null,
    originatorConversationId: ocid,
  });
  const payout = {
    id: "pyt_1",
    status: "succeeded",
    receipt: "UAP1",
    amount: 450,
    phone_number: "254730000001",
  };

  it("each payout paid once, succeeded with that receipt; never sent twice", () => {
    expect(checkMoney(daraja([b2c("UAP1", "pyt_1-1")]), malipo({ payouts: [payout] }))).toEqual([]);
    expect(
      checkMoney(daraja([b2c("UAP1", "pyt_1-1"), b2c("UAP2", "pyt_1-2")]), malipo({ payouts: [payout] })),
    ).toContain("payout pyt_1 was paid 2 times: UAP1, UAP2");
    const sentTwice = daraja([], {
      conversations: [
        { api: "b2c", originatorConversationId: "pyt_2-1", status: "completed" },
        { api: "b2c", originatorConversationId: "pyt_2-2", status: "completed" },
      ],
    });
    expect(checkMoney(sentTwice, malipo())).toEqual(["payout pyt_2 was sent to Daraja 2 times"]);
    expect(checkMoney(daraja([]), malipo({ payouts: [payout] }))).toEqual([
      "payout pyt_1 is succeeded but Daraja never paid it",
    ]);
  });

  it("each reversal is one succeeded refund, and a succeeded refund was reversed", () => {
    const reversal: DarajaTransaction = {
      ...stk(0),
      kind: "reversal",
      receipt: "UAR1",
      originalReceipt: "UAF1",
    };
    const refund = {
      id: "rfd_1",
      status: "succeeded",
      transaction_id: "pay_1",
      original_receipt: "UAF1",
      amount: 500,
    };
    expect(checkMoney(daraja([reversal]), malipo({ refunds: [refund] }))).toEqual([]);
    expect(checkMoney(daraja([reversal]), malipo({ refunds: [{ ...refund, status: "unknown" }] }))).toEqual([
      "Daraja reversed UAF1; refund rfd_1 is unknown",
    ]);
    expect(checkMoney(daraja([]), malipo({ refunds: [refund] }))).toEqual([
      "refund rfd_1 is succeeded but Daraja never reversed UAF1",
    ]);
  });
});

function receiverStats(
  acknowledged: Array<[string, number]> = [],
  badSignatures: string[] = [],
): ReceiverStats {
  return { requests: 0, acknowledged: new Map(acknowledged), refused: 0, badSignatures, types: new Map() };
}

describe("settled and delivered", () => {
  it("anything still moving is left open", () => {
    expect(
      checkSettled(daraja([], { pendingSessions: 1 }), malipo({ open: { payouts: 2, webhooks: 0 } })),
    ).toEqual(["left open: 2 payouts", "left open at Daraja: 1 prompts"]);
  });

  it("every event reached the receiver, signed; duplicates are allowed", () => {
    const record = malipo({
      events: [
        { id: "evt_1", type: "payment.completed" },
        { id: "evt_2", type: "payout.succeeded" },
      ],
      deliveries: [
        { event_id: "evt_1", status: "delivered", attempts: 2 },
        { event_id: "evt_2", status: "pending", attempts: 1 },
      ],
    });
    expect(checkWebhooks(record, receiverStats([["evt_1", 2]], ["evt_3: bad"]))).toEqual([
      "webhook with a bad signature: evt_3: bad",
      "event evt_2 (payout.succeeded) never reached the receiver",
      "delivery of evt_2 is pending after 1 attempts",
    ]);
    expect(tally(daraja([]), record, receiverStats([["evt_1", 2]])).webhookDuplicates).toBe(1);
  });
});
