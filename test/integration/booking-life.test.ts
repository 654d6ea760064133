/**
 * A booking's life after payment, through the real HTTP server with fees paid through the emulator:
 * technicians see and accept open bookings (racing, exactly one wins), admins assign, and every
 * refusal answers its stable code and changes nothing. The books are checked after every test.
 */
import { describe, expect, it } from "vitest";
import { bearer, createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { type LifeRoutes, lifeRoutes, paidBooking, snapshot, technician } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
let r: LifeRoutes;
let admin: RegisteredUser;
withPaymentsStack((stack) => {
  s = stack;
  r = lifeRoutes(stack);
});

async function adminUser(): Promise<RegisteredUser> {
  admin ??= await createAdmin(s.t);
  return admin;
}

describe("technicians take bookings", () => {
  it("a paid booking is open to every technician; accepting makes it theirs alone", async () => {
    const c = await paidBooking(s);
    const tech = await technician(s);
    const other = await technician(s);
    const open = (await r.get(tech, "/bookings?status=matching&limit=100")).json();
    expect(open.bookings.map((b: { id: string }) => b.id)).toContain(c.bookingId);

    const res = await r.accept(tech, c.bookingId);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.booking).toMatchObject({
      id: c.bookingId,
      status: "assigned",
      technicianId: tech.user.id,
      bookingFee: { status: "held" },
    });
    expect((await r.get(tech, "/bookings")).json().bookings.map((b: { id: string }) => b.id)).toContain(
      c.bookingId,
    );
    // No longer open: another technician neither lists nor reads it.
    const theirs = (await r.get(other, "/bookings?limit=100")).json();
    expect(theirs.bookings.map((b: { id: string }) => b.id)).not.toContain(c.bookingId);
    expectError(await r.get(other, `/bookings/${c.bookingId}`), 404, "BOOKING_NOT_FOUND");
    const events = await s.t.db.db.kysely
      .selectFrom("booking_events")
      .select(["type", "from_status", "to_status", "actor_id"])
      .where("booking_id", "=", c.bookingId)
      .execute();
    expect(events).toEqual([
      { type: "accepted", from_status: "matching", to_status: "assigned", actor_id: tech.user.id },
    ]);
  });

  it("technicians racing for one booking over real HTTP: exactly one wins, the rest get BOOKING_NOT_AVAILABLE", async () => {
    const c = await paidBooking(s);
    const racers = await Promise.all(Array.from({ length: 6 }, () => technician(s)));
    const answers = await Promise.all(
      racers.map((tech) =>
        fetch(`${s.t.url}/api/v1/bookings/${c.bookingId}/accept`, {
          method: "POST",
          headers: bearer(tech.token),
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(1);
    expect(statuses.filter((x) => x === 409)).toHaveLength(5);
    const bodies = await Promise.all(answers.map((a) => a.json()));
    for (const body of bodies.filter((b) => !b.success))
      expect(body.error.code).toBe("BOOKING_NOT_AVAILABLE");
    const winner = racers[statuses.indexOf(200)] as RegisteredUser;
    const row = (await snapshot(s, c.bookingId)).booking;
    expect(row).toMatchObject({ status: "assigned", technician_id: winner.user.id });
    expect((await snapshot(s, c.bookingId)).bookingEvents).toHaveLength(1);
  });

  it("refuses, changing nothing: no M-Pesa number, not paid, unknown, taken, wrong role", async () => {
    const c = await paidBooking(s);
    const unpaid = await s.customer();
    const noPhone = await technician(s, { phone: null });
    const tech = await technician(s);
    const before = await snapshot(s, c.bookingId);
    const refusal = expectError(await r.accept(noPhone, c.bookingId), 409, "TECHNICIAN_PHONE_REQUIRED");
    expect(refusal.message).toMatch(/M-Pesa phone number/);
    expectError(await r.accept(tech, unpaid.bookingId), 404, "BOOKING_NOT_FOUND");
    expectError(await r.accept(tech, "bkg_nope"), 404, "BOOKING_NOT_FOUND");
    expectError(await r.accept(c.token, c.bookingId), 403, "FORBIDDEN");
    expectError(await r.accept(await adminUser(), c.bookingId), 403, "FORBIDDEN");
    expectError(
      await s.t.app.inject({ method: "POST", url: `/api/v1/bookings/${c.bookingId}/accept` }),
      401,
      "UNAUTHORIZED",
    );
    expectError(await r.accept(tech, "bad%20id"), 400, "VALIDATION_ERROR");
    expect(await snapshot(s, c.bookingId)).toEqual(before);

    expect((await r.accept(tech, c.bookingId)).statusCode).toBe(200);
    const taken = await snapshot(s, c.bookingId);
    // Taken, even by the same technician again: not available, nothing changes.
    for (const who of [tech, await technician(s)]) {
      const error = expectError(await r.accept(who, c.bookingId), 409, "BOOKING_NOT_AVAILABLE");
      expect(error.details).toEqual({ status: "assigned" });
    }
    expect(await snapshot(s, c.bookingId)).toEqual(taken);
    expect((await snapshot(s, unpaid.bookingId)).booking?.status).toBe("pending_payment");
  });
});

describe("admins assign bookings", () => {
  it("gives a matching booking to a technician, recorded with the admin", async () => {
    const c = await paidBooking(s);
    const tech = await technician(s);
    const a = await adminUser();
    const res = await r.assign(a, c.bookingId, tech.user.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.booking).toMatchObject({ status: "assigned", technicianId: tech.user.id });
    expect((await r.booking(tech, c.bookingId)).status).toBe("assigned");
    const events = (await snapshot(s, c.bookingId)).bookingEvents;
    expect(events).toMatchObject([{ type: "assigned", actor_id: a.user.id, to_status: "assigned" }]);
    expect(JSON.parse(events[0]?.data ?? "{}")).toEqual({ technicianId: tech.user.id });
  });

  it("refuses, changing nothing: unknown technician, a customer's id, no number, not matching, bad body, not an admin", async () => {
    const c = await paidBooking(s);
    const unpaid = await s.customer();
    const tech = await technician(s);
    const noPhone = await technician(s, { phone: null });
    const a = await adminUser();
    const before = await snapshot(s, c.bookingId);
    expectError(await r.assign(a, c.bookingId, "usr_nope"), 404, "TECHNICIAN_NOT_FOUND");
    expectError(await r.assign(a, c.bookingId, c.userId), 404, "TECHNICIAN_NOT_FOUND");
    expectError(await r.assign(a, c.bookingId, a.user.id), 404, "TECHNICIAN_NOT_FOUND");
    expectError(await r.assign(a, c.bookingId, noPhone.user.id), 409, "TECHNICIAN_PHONE_REQUIRED");
    expectError(await r.assign(a, unpaid.bookingId, tech.user.id), 409, "BOOKING_NOT_AVAILABLE");
    expectError(await r.assign(a, "bkg_nope", tech.user.id), 404, "BOOKING_NOT_FOUND");
    for (const body of [42, null, "", ["x"]])
      expectError(await r.assign(a, c.bookingId, body), 400, "VALIDATION_ERROR");
    expectError(await r.assign(tech, c.bookingId, tech.user.id), 403, "FORBIDDEN");
    expectError(await r.assign(c.token, c.bookingId, tech.user.id), 403, "FORBIDDEN");
    expect(await snapshot(s, c.bookingId)).toEqual(before);
    expect((await r.assign(a, c.bookingId, tech.user.id)).statusCode).toBe(200);
    const assigned = await snapshot(s, c.bookingId);
    expectError(await r.assign(a, c.bookingId, (await technician(s)).user.id), 409, "BOOKING_NOT_AVAILABLE");
    expect(await snapshot(s, c.bookingId)).toEqual(assigned);
  });
});
