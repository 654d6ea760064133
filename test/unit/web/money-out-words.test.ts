import { describe, expect, it } from "vitest";
import { PAYOUT_STATUSES } from "../../../src/payouts/payout-events.ts";
import type { Payout, Refund } from "../../../web/src/api/types.ts";
import {
  describePayout,
  describeRefund,
  MONEY_OUT_STATUSES,
  moneyOutStatusWords,
} from "../../../web/src/lib/money-out-words.ts";
import { isMoneyOutOpen } from "../../../web/src/lib/words.ts";

const common = {
  id: "pyt_1",
  bookingId: "bkg_1",
  phoneNumber: "254712345678",
  amount: 450,
  currency: "KES",
  conversationId: null,
  receipt: null,
  resultCode: null,
  resultDesc: null,
  failureReason: null,
  createdAt: "2026-01-15T09:00:00.000Z",
  completedAt: null,
};
const payout = (status: Payout["status"], awaitingApproval = false): Payout => ({
  ...common,
  status,
  technicianId: "usr_t",
  awaitingApproval,
});
const refund = (status: Refund["status"]): Refund => ({
  ...common,
  amount: 500,
  status,
  customerId: "usr_c",
  transactionId: "pay_1",
  reason: "Changed my mind",
});

describe("money out words", () => {
  it("know every status the server has", () => {
    expect([...MONEY_OUT_STATUSES].sort()).toEqual([...PAYOUT_STATUSES].sort());
  });

  it("give each status its own words, for payouts and refunds", () => {
    for (const kind of ["payout", "refund"] as const) {
      const labels = MONEY_OUT_STATUSES.map((status) => moneyOutStatusWords(kind, status).label);
      expect(new Set(labels).size).toBe(MONEY_OUT_STATUSES.length);
    }
    expect(moneyOutStatusWords("payout", "succeeded")).toEqual({ label: "Paid out", tone: "success" });
    expect(moneyOutStatusWords("refund", "succeeded")).toEqual({ label: "Refunded", tone: "success" });
    expect(moneyOutStatusWords("payout", "failed").tone).toBe("danger");
  });

  it("say when a queued payout waits for an admin", () => {
    expect(moneyOutStatusWords("payout", "queued", true).label).toBe("Waiting for approval");
    expect(moneyOutStatusWords("payout", "queued", false).label).toBe("Queued to send");
    expect(describePayout(payout("queued", true), true)).toMatch(/An admin approves each payout/);
  });

  it("describe where the money is, with the number for its owner and masked for others", () => {
    expect(describePayout(payout("queued"), true)).toBe(
      "KES 450 is queued to be sent to your M-Pesa 0712 345 678.",
    );
    expect(describePayout({ ...payout("succeeded"), phoneNumber: "2547****5678" }, false)).toBe(
      "KES 450 was paid to 2547****5678.",
    );
    expect(describeRefund(refund("queued"), true)).toBe(
      "KES 500 is being refunded to your M-Pesa 0712 345 678 by reversing the payment.",
    );
    for (const status of MONEY_OUT_STATUSES) {
      expect(describePayout(payout(status), true)).toContain("KES 450");
      expect(describeRefund(refund(status), false)).toContain("KES 500");
    }
    expect(describeRefund(refund("failed"), true)).toMatch(/still owed/);
  });

  it("count only queued, submitted and unknown as still moving by themselves", () => {
    expect(MONEY_OUT_STATUSES.filter(isMoneyOutOpen)).toEqual(["queued", "submitted", "unknown"]);
  });
});
