/**
 * The admin review queue: everything a person must decide, in one list, and the decision on money
 * in suspense. A payment made after its attempt went to review (24 h without an answer) is held in
 * suspense; an admin holds the fee with it (suspense → escrow, the booking matching) or refunds it
 * (suspense → a refund, then sent by reversal). Every decision is recorded with the admin and note;
 * only admins see or decide. Real server, Daraja client and emulator; the books after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { lifeRoutes } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";
import { moneyInSuspense, unconfirmedPush } from "../support/review.ts";

const HOUR = 3_600_000;
let s: PaymentsStack;
let p: PayoutsDriver;
let admin: RegisteredUser;
withPaymentsStack(
  (stack) => {
    s = stack;
    p = payoutsDriver(stack);
  },
  // Prompts stay open until the test answers them, however far the app's clock moves.
  { emulator: { promptTimeoutMs: 100 * HOUR } },
);

const resolveTx = (who: RegisteredUser | string, id: string, body: object) =>
  s.t.app.inject({
    method: "POST",
    url: `/api/v1/admin/transactions/${id}/resolve`,
    headers: { authorization: `Bearer ${typeof who === "string" ? who : who.token}` },
    payload: body,
  });

describe("money in suspense", () => {
  it("is on the review queue; an admin holds the fee with it: suspense → escrow, the booking matching", async () => {
    admin ??= await createAdmin(s.t);
    const { c, transactionId } = await moneyInSuspense(s);
    const queue = (await p.admin(admin, "GET", "/admin/review")).json().data;
    expect(queue.payments).toContainEqual(
      expect.objectContaining({ id: transactionId, status: "needs_review", inSuspense: 500 }),
    );
    expect(queue.suspenseTotal).toBeGreaterThanOrEqual(500);

    // Only admins, with a known action and a note.
    expectError(await p.admin(c as never, "GET", "/admin/review"), 403, "FORBIDDEN");
    expectError(await resolveTx(c.token, transactionId, { action: "hold_fee", note: "x" }), 403, "FORBIDDEN");
    expectError(
      await resolveTx(admin, transactionId, { action: "keep", note: "x" }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(await resolveTx(admin, transactionId, { action: "hold_fee" }), 400, "VALIDATION_ERROR");
    expectError(
      await resolveTx(admin, "txn_nope", { action: "hold_fee", note: "x" }),
      404,
      "TRANSACTION_NOT_FOUND",
    );

    const before = await accountBalances(s.t.db.db.kysely);
    const res = await resolveTx(admin, transactionId, {
      action: "hold_fee",
      note: "Statement shows KES 500 from the customer",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      transaction: { id: transactionId, status: "completed" },
      refund: null,
    });
    const after = await accountBalances(s.t.db.db.kysely);
    expect({
      suspense: after.suspense - before.suspense,
      escrow: after.booking_fee_escrow - before.booking_fee_escrow,
    }).toEqual({ suspense: 500, escrow: -500 });
    expect(await s.fee(c.bookingId)).toMatchObject({ status: "held", paid_transaction_id: transactionId });
    expect((await lifeRoutes(s).booking(c.token, c.bookingId)).status).toBe("matching");
    const decided = await s.t.db.db.kysely
      .selectFrom("payment_events")
      .select(["type", "to_status", "data"])
      .where("transaction_id", "=", transactionId)
      .where("type", "=", "admin_resolve")
      .execute();
    expect(decided.map((e) => ({ ...e, data: JSON.parse(e.data) }))).toEqual([
      {
        type: "admin_resolve",
        to_status: "completed",
        data: expect.objectContaining({
          source: "admin",
          action: "hold_fee",
          adminId: admin.user.id,
          note: "Statement shows KES 500 from the customer",
        }),
      },
    ]);
    // Decided once: nothing is left in suspense for it, and it leaves the queue.
    expectError(
      await resolveTx(admin, transactionId, { action: "refund", note: "x" }),
      409,
      "TRANSACTION_NOT_RESOLVABLE",
    );
    const later = (await p.admin(admin, "GET", "/admin/review")).json().data;
    expect(later.payments.map((x: { id: string }) => x.id)).not.toContain(transactionId);
  });

  it("an admin refunds it: suspense → a refund, sent by reversal; the fee can no longer be held with it", async () => {
    admin ??= await createAdmin(s.t);
    const { c, phone, transactionId } = await moneyInSuspense(s);
    // The customer cancelled meanwhile: the fee is not payable, only a refund is possible.
    expect((await lifeRoutes(s).cancel(c.token, c.bookingId, "Too late")).statusCode).toBe(200);
    const refused = expectError(
      await resolveTx(admin, transactionId, { action: "hold_fee", note: "x" }),
      409,
      "TRANSACTION_NOT_RESOLVABLE",
    );
    expect(refused.message).toMatch(/no longer payable/);
    const before = await accountBalances(s.t.db.db.kysely);
    const res = await resolveTx(admin, transactionId, { action: "refund", note: "Booking was cancelled" });
    expect(res.statusCode).toBe(200);
    const { refund } = res.json().data;
    // The number is the payer's (masked to anyone but them).
    expect(refund).toMatchObject({
      transactionId,
      amount: 500,
      status: "queued",
      phoneNumber: `2547****${phone.slice(-4)}`,
    });
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.suspense - before.suspense).toBe(500);
    expect(after.customer_refunds_payable - before.customer_refunds_payable).toBe(-500);
    const queue = (await p.admin(admin, "GET", "/admin/review")).json().data;
    expect(queue.payments.map((x: { id: string }) => x.id)).not.toContain(transactionId);
    await p.sweep();
    await p.waitFor({ kind: "refund", id: refund.id }, ["succeeded"]);
    expect((await s.row(transactionId)).failure_reason).toBe(
      "refunded by an admin's decision: Booking was cancelled",
    );
  });
});

describe("a payment review item closed by a decision of its own", () => {
  const close = (who: { token: string }, id: string, body: object) =>
    s.t.app.inject({
      method: "POST",
      url: `/api/v1/admin/review/payment-reviews/${id}/close`,
      headers: { authorization: `Bearer ${who.token}` },
      payload: body,
    });
  const queue = async () =>
    (
      await s.t.app.inject({
        method: "GET",
        url: "/api/v1/admin/review",
        headers: { authorization: `Bearer ${admin.token}` },
      })
    ).json().data;

  it("records the admin and the note, leaves the queue, moves no money, and is decided once", async () => {
    admin ??= await createAdmin(s.t);
    const { c, transactionId } = await unconfirmedPush(s);
    const item = (await queue()).paymentReviews.find(
      (r: { transactionId: string }) => r.transactionId === transactionId,
    );
    expect(item).toBeDefined();
    const before = await accountBalances(s.t.db.db.kysely);

    expectError(await close(c, item.id, { note: "customer" }), 403, "FORBIDDEN");
    expectError(await close(admin, item.id, {}), 400, "VALIDATION_ERROR");
    expectError(await close(admin, item.id, { note: "" }), 400, "VALIDATION_ERROR");
    expectError(await close(admin, "rev_unknown", { note: "looked" }), 404, "REVIEW_NOT_FOUND");

    const note = "Looked for KES 500 on the statement of 1 Dec: not there; the prompt was never paid";
    const res = await close(admin, item.id, { note });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.review).toMatchObject({
      id: item.id,
      transactionId,
      resolvedBy: admin.user.id,
      resolutionNote: note,
    });
    expect((await queue()).paymentReviews.some((r: { id: string }) => r.id === item.id)).toBe(false);
    expect((await s.row(transactionId)).status).toBe("failed");
    expect(await accountBalances(s.t.db.db.kysely)).toEqual(before);

    const again = expectError(await close(admin, item.id, { note: "twice" }), 409, "REVIEW_ALREADY_CLOSED");
    expect(again.details).toMatchObject({ resolvedAt: res.json().data.review.resolvedAt });
    const row = await s.t.db.db.kysely
      .selectFrom("payment_reviews")
      .selectAll()
      .where("id", "=", item.id)
      .executeTakeFirstOrThrow();
    expect(row.resolution_note).toBe(note);
  });
});
