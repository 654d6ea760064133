/**
 * PAYOUT_APPROVAL=admin (maker-checker): a released fee's payout waits in `queued` until an admin
 * approves it, the approval recorded with the admin; and the configured commission
 * (PLATFORM_COMMISSION_PERCENT=15 of a KES 333 fee: 49.95, rounded down to 49). Real HTTP server,
 * fees paid through the emulator, the books checked after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { findDueItems, findItem } from "../../src/payouts/payout.repository.ts";
import type { PayoutChange } from "../../src/payouts/payout-apply.ts";
import { nextStep } from "../../src/payouts/submission-policy.ts";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { completedBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { payoutsDriver } from "../support/payouts.ts";

let s: PaymentsStack;
withPaymentsStack(
  (stack) => {
    s = stack;
  },
  { env: { PAYOUT_APPROVAL: "admin", PLATFORM_COMMISSION_PERCENT: "15", BOOKING_FEE_KES: "333" } },
);

const approve = (who: RegisteredUser | string, id: string) =>
  s.t.app.inject({
    method: "POST",
    url: `/api/v1/admin/payouts/${id}/approve`,
    headers: { authorization: `Bearer ${typeof who === "string" ? who : who.token}` },
  });

async function stepOf(id: string) {
  const item = await findItem(s.t.db.db.kysely, { kind: "payout", id });
  if (item?.kind !== "payout") throw new Error("no payout");
  return nextStep(item.row.status, {
    kind: "payout",
    approvalRequired: item.row.approval_required === 1,
    approved: item.row.approved_at !== null,
    submitStarted: item.row.submit_started_at !== null,
  });
}

describe("payouts held for an admin's approval", () => {
  it("keeps the commission rounded down, and holds the payout until an admin approves it", async () => {
    const heard: PayoutChange[] = [];
    const stop = s.t.services.payouts.onChange((change) => heard.push(change));
    try {
      const { c, tech, payoutId } = await completedBooking(s);
      expect(heard).toEqual([{ kind: "payout", id: payoutId, status: "queued" }]);
      const booking = await s.t.services.bookings.get({ id: c.userId, role: "customer" }, c.bookingId);
      expect(booking.bookingFee).toEqual({ amount: 333, currency: "KES", status: "released" });
      expect(booking.payout).toMatchObject({ amount: 284, status: "queued", awaitingApproval: true });
      const commission = await s.t.db.db.kysely
        .selectFrom("ledger_transfers")
        .select("amount")
        .where("kind", "=", "fee_commission")
        .where("transaction_id", "=", c.transactionId)
        .executeTakeFirstOrThrow();
      expect(commission.amount).toBe(49);
      expect(await stepOf(payoutId)).toBe("await_approval");
      const due = () => findDueItems(s.t.db.db.kysely, "payout", s.clock.now(), 100);
      expect(await due()).not.toContain(payoutId);

      // Only an admin approves; refusals change nothing.
      const admin = await createAdmin(s.t);
      expectError(await approve(tech, payoutId), 403, "FORBIDDEN");
      expectError(await approve(c.token, payoutId), 403, "FORBIDDEN");
      expectError(await approve(admin, "pyt_nope"), 404, "PAYOUT_NOT_FOUND");
      expect(await stepOf(payoutId)).toBe("await_approval");

      const res = await approve(admin, payoutId);
      expect(res.statusCode).toBe(200);
      expect(res.json().data.payout).toMatchObject({
        id: payoutId,
        status: "queued",
        awaitingApproval: false,
      });
      expect(heard.at(-1)).toEqual({ kind: "payout", id: payoutId, status: "queued" });
      expect(await stepOf(payoutId)).toBe("submit");
      expect(await due()).toContain(payoutId);
      const row = (await findItem(s.t.db.db.kysely, { kind: "payout", id: payoutId }))?.row;
      expect(row).toMatchObject({ approved_by: admin.user.id, approved_at: s.clock.now().toISOString() });
      const events = await s.t.db.db.kysely
        .selectFrom("payout_events")
        .select(["type", "actor_id"])
        .where("item_id", "=", payoutId)
        .where("type", "=", "approved")
        .execute();
      expect(events).toEqual([{ type: "approved", actor_id: admin.user.id }]);

      // Approving again is harmless; once submitted, there is nothing to approve.
      expect((await approve(admin, payoutId)).statusCode).toBe(200);
      expect((await findItem(s.t.db.db.kysely, { kind: "payout", id: payoutId }))?.row.approved_by).toBe(
        admin.user.id,
      );
      await s.t.services.payouts.applyEvent(
        { kind: "payout", id: payoutId },
        {
          type: "submit_accepted",
          conversationId: "AG_20260115_approved",
          originatorConversationId: `${payoutId}-1`,
        },
        "submit",
      );
      const late = expectError(await approve(admin, payoutId), 409, "PAYOUT_NOT_APPROVABLE");
      expect(late.details).toEqual({ status: "submitted" });
    } finally {
      stop();
    }
  });

  it("a running submitter sends nothing before the approval, and pays the technician at once after it", async () => {
    const p = payoutsDriver(s);
    const submitter = s.t.services.payoutSubmitter;
    submitter.start();
    try {
      const { tech, payoutId } = await completedBooking(s);
      const ref = { kind: "payout" as const, id: payoutId };
      expect((await p.sweep()).due).toBe(0);
      expect(
        s.emulator.emulator.conversations.list({ api: "b2c", msisdn: tech.user.phoneNumber ?? "" }),
      ).toEqual([]);
      const admin = await createAdmin(s.t);
      const before = await accountBalances(s.t.db.db.kysely);
      expect((await approve(admin, payoutId)).statusCode).toBe(200);
      // Heard as a change to `queued`: sent without waiting for the next sweep.
      const paid = await p.waitFor(ref, ["succeeded"]);
      expect(paid.row).toMatchObject({ amount: 284, approved_by: admin.user.id });
      const after = await accountBalances(s.t.db.db.kysely);
      expect(after.technician_payable - before.technician_payable).toBe(284);
    } finally {
      await submitter.stop();
    }
  });
});
