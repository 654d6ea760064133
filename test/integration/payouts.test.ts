/**
 * Payouts and refunds as people read them: who sees which (another person's ids answer 404), the
 * object shapes with phone numbers masked to everyone but the recipient, lists filtered by status,
 * and approval refused when PAYOUT_APPROVAL=auto. Real HTTP server, the books checked after every test.
 */
import { describe, expect, it } from "vitest";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { cancelledBooking, completedBooking, type LifeRoutes, lifeRoutes } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
let r: LifeRoutes;
let admin: RegisteredUser;
withPaymentsStack((stack) => {
  s = stack;
  r = lifeRoutes(stack);
});

const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);

describe("reading payouts", () => {
  it("technicians see their own, admins all (masked, filtered by status), customers none", async () => {
    const a = await completedBooking(s);
    const b = await completedBooking(s);
    admin ??= await createAdmin(s.t);

    const mine = (await r.get(a.tech, "/payouts")).json();
    expect(mine).toMatchObject({ success: true, count: 1, total: 1, page: 1, pages: 1 });
    expect(mine.payouts[0]).toMatchObject({
      id: a.payoutId,
      phoneNumber: a.tech.user.phoneNumber,
      amount: 450,
    });
    const one = (await r.get(a.tech, `/payouts/${a.payoutId}`)).json().data.payout;
    expect(one).toEqual(mine.payouts[0]);

    const all = (await r.get(admin, "/payouts?limit=100")).json();
    expect(ids(all.payouts)).toEqual(expect.arrayContaining([a.payoutId, b.payoutId]));
    const seen = all.payouts.find((p: { id: string }) => p.id === a.payoutId);
    expect(seen.phoneNumber).toMatch(/^2547\*{4}\d{4}$/);
    expect((await r.get(admin, `/payouts/${b.payoutId}`)).json().data.payout.phoneNumber).toMatch(/\*{4}/);
    const queued = (await r.get(admin, "/payouts?status=queued&limit=100")).json();
    expect(ids(queued.payouts)).toEqual(expect.arrayContaining([a.payoutId, b.payoutId]));
    expect((await r.get(admin, "/payouts?status=succeeded")).json()).toMatchObject({ total: 0, payouts: [] });

    // Another person's payout does not exist for them.
    const notFound = expectError(await r.get(b.tech, `/payouts/${a.payoutId}`), 404, "PAYOUT_NOT_FOUND");
    const unknown = expectError(await r.get(b.tech, "/payouts/pyt_nope"), 404, "PAYOUT_NOT_FOUND");
    expect(notFound.message).toBe(unknown.message);
    expectError(await r.get(a.c.token, `/payouts/${a.payoutId}`), 404, "PAYOUT_NOT_FOUND");
    expectError(await r.get(a.c.token, "/payouts"), 403, "FORBIDDEN");
    for (const query of ["status=paid", "limit=0", "limit=101", "page=0"])
      expectError(await r.get(admin, `/payouts?${query}`), 400, "VALIDATION_ERROR");
    expectError(await r.get(a.tech, "/payouts/bad%20id"), 400, "VALIDATION_ERROR");
  });

  it("approval is refused when payouts need none (PAYOUT_APPROVAL=auto)", async () => {
    const a = await completedBooking(s);
    admin ??= await createAdmin(s.t);
    const approve = (who: RegisteredUser, id: string) =>
      s.t.app.inject({
        method: "POST",
        url: `/api/v1/admin/payouts/${id}/approve`,
        headers: { authorization: `Bearer ${who.token}` },
      });
    const before = await s.t.db.db.kysely.selectFrom("payout_events").select("id").execute();
    const error = expectError(await approve(admin, a.payoutId), 409, "PAYOUT_NOT_APPROVABLE");
    expect(error.message).toMatch(/needs no approval/);
    expectError(await approve(admin, "pyt_nope"), 404, "PAYOUT_NOT_FOUND");
    expectError(await approve(a.tech, a.payoutId), 403, "FORBIDDEN");
    expect(await s.t.db.db.kysely.selectFrom("payout_events").select("id").execute()).toEqual(before);
  });
});

describe("reading refunds", () => {
  it("customers see their own, admins all; technicians none; another person's ids answer 404", async () => {
    const x = await cancelledBooking(s);
    const y = await cancelledBooking(s);
    admin ??= await createAdmin(s.t);
    const tech = (await completedBooking(s)).tech;

    const mine = (await r.get(x.c.token, "/refunds")).json();
    expect(mine).toMatchObject({ count: 1, total: 1 });
    expect(mine.refunds[0]).toMatchObject({
      id: x.refundId,
      customerId: x.c.userId,
      transactionId: x.c.transactionId,
      phoneNumber: "254708374149",
      status: "queued",
    });
    expect((await r.get(x.c.token, `/refunds/${x.refundId}`)).json().data.refund).toEqual(mine.refunds[0]);
    const all = (await r.get(admin, "/refunds?status=queued&limit=100")).json();
    expect(ids(all.refunds)).toEqual(expect.arrayContaining([x.refundId, y.refundId]));
    expect(all.refunds.find((f: { id: string }) => f.id === x.refundId).phoneNumber).toBe("2547****4149");
    expect((await r.get(admin, "/refunds?status=failed")).json().total).toBe(0);

    expectError(await r.get(y.c.token, `/refunds/${x.refundId}`), 404, "REFUND_NOT_FOUND");
    expectError(await r.get(tech, `/refunds/${x.refundId}`), 404, "REFUND_NOT_FOUND");
    expectError(await r.get(tech, "/refunds"), 403, "FORBIDDEN");
    expectError(await r.get(x.c.token, "/refunds?status=refunded"), 400, "VALIDATION_ERROR");
  });
});
