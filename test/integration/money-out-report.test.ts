/**
 * The money-out report (`GET /admin/reports/money-out`) on both engines, over bookings completed and
 * cancelled through the real HTTP server and emulator: paid out, refunded and commission in the
 * range come from the ledger's transfers; what is owed now from its balances, whatever the range;
 * payouts and refunds counted by status. Admins only; bad ranges refused.
 */
import { describe, expect, it } from "vitest";
import type { PayoutStatus } from "../../src/db/schema.ts";
import { bearer, createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { cancelledBooking, completedBooking, paidBooking, settleMoneyOut } from "../support/escrow.ts";
import { type PaymentsStack, startPaymentsStack, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});

interface Report {
  from: string;
  to: string;
  paidOut: { amount: number; count: number };
  refunded: { amount: number; count: number };
  commission: { amount: number; count: number };
  owed: { technicianPayable: number; customerRefundsPayable: number; heldInEscrow: number };
  payouts: { counts: Record<PayoutStatus, number>; awaitingApproval: number };
  refunds: { counts: Record<PayoutStatus, number> };
}

async function report(admin: RegisteredUser, query = ""): Promise<Report> {
  const res = await s.t.app.inject({
    method: "GET",
    url: `/api/v1/admin/reports/money-out${query}`,
    headers: bearer(admin.token),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.report as Report;
}

const zeroCounts = { queued: 0, submitted: 0, succeeded: 0, failed: 0, unknown: 0, needs_review: 0 };

describe("the money-out report", () => {
  it("starts at zero", async () => {
    const admin = await createAdmin(s.t);
    const r = await report(admin);
    expect(r).toMatchObject({
      paidOut: { amount: 0, count: 0 },
      refunded: { amount: 0, count: 0 },
      commission: { amount: 0, count: 0 },
      owed: { technicianPayable: 0, customerRefundsPayable: 0, heldInEscrow: 0 },
      payouts: { counts: zeroCounts, awaitingApproval: 0 },
      refunds: { counts: zeroCounts },
    });
    // The default range is the 30 days up to now.
    expect(Date.parse(r.to) - Date.parse(r.from)).toBe(30 * 86_400_000);
  });

  it("adds up payouts paid, refunds paid, commission kept and what is still owed", async () => {
    const admin = await createAdmin(s.t);
    const start = s.clock.now().toISOString();
    const before = await report(admin);
    const paid = await completedBooking(s);
    await completedBooking(s); // its payout stays queued: owed
    const refunded = await cancelledBooking(s);
    await cancelledBooking(s); // its refund stays queued: owed
    await paidBooking(s); // held in escrow
    await settleMoneyOut(s.t, { kind: "payout", id: paid.payoutId });
    await settleMoneyOut(s.t, { kind: "refund", id: refunded.refundId });
    s.clock.advance(1_000);

    const r = await report(admin);
    expect({
      paidOut: r.paidOut,
      refunded: r.refunded,
      commission: r.commission,
      owed: r.owed,
    }).toEqual({
      paidOut: { amount: before.paidOut.amount + 450, count: before.paidOut.count + 1 },
      refunded: { amount: before.refunded.amount + 500, count: before.refunded.count + 1 },
      commission: { amount: before.commission.amount + 100, count: before.commission.count + 2 },
      owed: {
        technicianPayable: before.owed.technicianPayable + 450,
        customerRefundsPayable: before.owed.customerRefundsPayable + 500,
        heldInEscrow: before.owed.heldInEscrow + 500,
      },
    });
    expect(r.payouts.counts.succeeded).toBe(before.payouts.counts.succeeded + 1);
    expect(r.payouts.counts.queued).toBe(before.payouts.counts.queued + 1);
    expect(r.refunds.counts.succeeded).toBe(before.refunds.counts.succeeded + 1);
    expect(r.refunds.counts.queued).toBe(before.refunds.counts.queued + 1);

    // Only what happened from `start` on is in this range; what is owed does not depend on it.
    const since = await report(admin, `?from=${encodeURIComponent(start)}`);
    expect(since).toMatchObject({
      paidOut: { amount: 450, count: 1 },
      refunded: { amount: 500, count: 1 },
      commission: { amount: 100, count: 2 },
      owed: r.owed,
    });
    const earlier = await report(admin, `?to=${encodeURIComponent(start)}`);
    expect(earlier).toMatchObject({
      paidOut: before.paidOut,
      refunded: before.refunded,
      commission: before.commission,
      owed: r.owed,
      payouts: r.payouts,
    });
  });

  it("is for admins only, and refuses a range it cannot read", async () => {
    const admin = await createAdmin(s.t);
    const c = await paidBooking(s);
    const asCustomer = await s.t.app.inject({
      method: "GET",
      url: "/api/v1/admin/reports/money-out",
      headers: bearer(c.token),
    });
    expectError(asCustomer, 403, "FORBIDDEN");
    expectError(
      await s.t.app.inject({ method: "GET", url: "/api/v1/admin/reports/money-out" }),
      401,
      "UNAUTHORIZED",
    );
    for (const query of ["from=2026-02-01&to=2026-01-01", "from=2024-01-01&to=2026-01-01", "from=soon"]) {
      const res = await s.t.app.inject({
        method: "GET",
        url: `/api/v1/admin/reports/money-out?${query}`,
        headers: bearer(admin.token),
      });
      expectError(res, 400, "VALIDATION_ERROR");
    }
  });
});

describe("with PAYOUT_APPROVAL=admin", () => {
  it("counts the payouts waiting for an admin, and stops counting one once approved", async () => {
    const approval = await startPaymentsStack({ env: { PAYOUT_APPROVAL: "admin" } });
    try {
      const admin = await createAdmin(approval.t);
      const { payoutId } = await completedBooking(approval);
      await completedBooking(approval);
      const read = async () => {
        const res = await approval.t.app.inject({
          method: "GET",
          url: "/api/v1/admin/reports/money-out",
          headers: bearer(admin.token),
        });
        return res.json().data.report as Report;
      };
      expect((await read()).payouts).toEqual({ counts: { ...zeroCounts, queued: 2 }, awaitingApproval: 2 });
      const approved = await approval.t.app.inject({
        method: "POST",
        url: `/api/v1/admin/payouts/${payoutId}/approve`,
        headers: bearer(admin.token),
      });
      expect(approved.statusCode, approved.body).toBe(200);
      expect((await read()).payouts).toEqual({ counts: { ...zeroCounts, queued: 2 }, awaitingApproval: 1 });
      expect((await read()).owed.technicianPayable).toBe(900);
      await assertBooksBalanced(approval.t.db.db.kysely);
    } finally {
      await approval.close();
    }
  });
});
