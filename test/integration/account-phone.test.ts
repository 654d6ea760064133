/**
 * A user's M-Pesa number (`PATCH /auth/me`) on both engines: set and normalised, refused when it is
 * not a Kenyan mobile number or the account is gone; and the dead end it removes — a technician
 * without a number is refused a job, adds one, and then takes it and is paid to it.
 */
import { describe, expect, it } from "vitest";
import { bearer, createAdmin, expectError, registerUser } from "../support/app.ts";
import { lifeRoutes, paidBooking, technician } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});

const setPhone = (token: string | null, payload: unknown, contentType = "application/json") =>
  s.t.app.inject({
    method: "PATCH",
    url: "/api/v1/auth/me",
    headers: { ...(token ? bearer(token) : {}), "content-type": contentType },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });

describe("PATCH /auth/me", () => {
  it("sets the signed-in user's M-Pesa number in canonical form, for every role", async () => {
    const customer = await registerUser(s.t.app);
    const res = await setPhone(customer.token, { phoneNumber: " 0712 345 678 " });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.user).toMatchObject({
      id: customer.user.id,
      email: customer.user.email,
      role: "customer",
      phoneNumber: "254712345678",
    });
    const me = await s.t.app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: bearer(customer.token),
    });
    expect(me.json().data.user.phoneNumber).toBe("254712345678");
    // Changing it again replaces it.
    const again = await setPhone(customer.token, { phoneNumber: "+254 110 000 001" });
    expect(again.json().data.user.phoneNumber).toBe("254110000001");

    const admin = await createAdmin(s.t);
    expect((await setPhone(admin.token, { phoneNumber: "0722000000" })).statusCode).toBe(200);
  });

  it("refuses what is not a Kenyan mobile number, a missing body, a gone account; changes nothing", async () => {
    const tech = await registerUser(s.t.app, { role: "technician", phoneNumber: "0733000111" });
    for (const phoneNumber of ["0712", "0201234567", "+1 555 0100", "not a number", "٠٧٠٨٣٧٤١٤٩"]) {
      const error = expectError(await setPhone(tech.token, { phoneNumber }), 400, "INVALID_PHONE");
      expect(error.details).toEqual({ fields: [{ field: "phoneNumber", message: expect.any(String) }] });
    }
    for (const body of [{}, { phoneNumber: "" }, { phoneNumber: 712345678 }, { phoneNumber: null }, []])
      expectError(await setPhone(tech.token, body), 400, "VALIDATION_ERROR");
    expectError(
      await setPhone(tech.token, "<phone>0712345678</phone>", "application/xml"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectError(await setPhone(null, { phoneNumber: "0712345678" }), 401, "UNAUTHORIZED");
    const me = await s.t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: bearer(tech.token) });
    expect(me.json().data.user.phoneNumber).toBe("254733000111");

    // A valid session whose account no longer exists.
    const gone = await registerUser(s.t.app);
    await s.t.db.db.kysely.deleteFrom("users").where("id", "=", gone.user.id).execute();
    expectError(await setPhone(gone.token, { phoneNumber: "0712345678" }), 401, "UNAUTHORIZED");
  });

  it("gets a technician without a number past TECHNICIAN_PHONE_REQUIRED: add it, take the job, be paid there", async () => {
    const r = lifeRoutes(s);
    const c = await paidBooking(s);
    const tech = await technician(s, { phone: null });
    expectError(await r.accept(tech, c.bookingId), 409, "TECHNICIAN_PHONE_REQUIRED");
    expect((await r.booking(c.token, c.bookingId)).status).toBe("matching");

    expect((await setPhone(tech.token, { phoneNumber: "0799 000 123" })).statusCode).toBe(200);
    expect((await r.accept(tech, c.bookingId)).statusCode).toBe(200);
    const done = await r.complete(tech, c.bookingId);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().data.booking.payout).toMatchObject({
      technicianId: tech.user.id,
      phoneNumber: "254799000123",
      amount: 450,
      status: "queued",
    });
  });
});
