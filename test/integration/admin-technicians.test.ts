/**
 * `GET /admin/technicians` on both engines: the technicians an admin can assign bookings to, by
 * name, a page at a time, with their M-Pesa numbers (those without one cannot take a booking).
 * Nobody else may list them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  createAdmin,
  expectError,
  type RegisteredUser,
  registerUser,
  startTestApp,
  type TestApp,
} from "../support/app.ts";
import { testEngine } from "../support/db.ts";

describe(`admin technicians list (${testEngine()})`, () => {
  let t: TestApp;
  let admin: RegisteredUser;
  const list = (token: string, query = "") =>
    t.app.inject({ method: "GET", url: `/api/v1/admin/technicians${query}`, headers: bearer(token) });

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
    await registerUser(t.app, { role: "technician", name: "Wafula Simiyu", phoneNumber: "0711000003" });
    await registerUser(t.app, { role: "technician", name: "Achieng Odhiambo" });
    await registerUser(t.app, { role: "technician", name: "Kamau Njoroge", phoneNumber: "0711000001" });
    await registerUser(t.app, { role: "customer", name: "Baraka Customer", phoneNumber: "0711000002" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists technicians only, by name, with their numbers", async () => {
    const res = await list(admin.token);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, count: 3, total: 3, page: 1, pages: 1 });
    expect(
      body.technicians.map((u: { name: string; role: string; phoneNumber: string | null }) => [
        u.name,
        u.role,
        u.phoneNumber,
      ]),
    ).toEqual([
      ["Achieng Odhiambo", "technician", null],
      ["Kamau Njoroge", "technician", "254711000001"],
      ["Wafula Simiyu", "technician", "254711000003"],
    ]);
    expect(Object.keys(body.technicians[0]).sort()).toEqual([
      "createdAt",
      "email",
      "id",
      "name",
      "phoneNumber",
      "role",
    ]);
  });

  it("pages through them", async () => {
    const second = (await list(admin.token, "?page=2&limit=2")).json();
    expect(second).toMatchObject({ count: 1, total: 3, page: 2, pages: 2 });
    expect(second.technicians[0].name).toBe("Wafula Simiyu");
    expectError(await list(admin.token, "?limit=101"), 400, "VALIDATION_ERROR");
    expectError(await list(admin.token, "?page=0"), 400, "VALIDATION_ERROR");
  });

  it("is for admins only", async () => {
    const customer = await registerUser(t.app);
    const tech = await registerUser(t.app, { role: "technician" });
    expectError(await list(customer.token), 403, "FORBIDDEN");
    expectError(await list(tech.token), 403, "FORBIDDEN");
    expectError(await t.app.inject({ method: "GET", url: "/api/v1/admin/technicians" }), 401, "UNAUTHORIZED");
  });
});
