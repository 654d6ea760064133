/**
 * The admin webhook routes on both engines: endpoints CRUD with the secret shown only on create and
 * rotate, the paged delivery log, resends and test events; and every refusal (no session, not an
 * admin, bad URL or event type, unknown ids, bad bodies, a disabled endpoint) with its code,
 * changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import type { ErrorCode } from "../../src/errors.ts";
import { WEBHOOK_EVENT_TYPES } from "../../src/webhooks/catalogue.ts";
import {
  bearer,
  createAdmin,
  expectError,
  type RegisteredUser,
  registerUser,
  startTestApp,
  type TestApp,
} from "../support/app.ts";
import { addEndpoint, startReceiver, testWorker } from "../support/webhooks.ts";

let t: TestApp;
let admin: RegisteredUser;
let customer: RegisteredUser;
const clock = new ManualClock(new Date());
const BASE = "/api/v1/admin/webhooks";

beforeAll(async () => {
  t = await startTestApp({ clock });
  admin = await createAdmin(t);
  customer = await registerUser(t.app);
});
afterAll(async () => {
  await t?.close();
});

type Method = "GET" | "POST" | "PATCH" | "DELETE";
const call = (method: Method, url: string, payload?: unknown, token: string | null = admin.token) =>
  t.app.inject({
    method,
    url: `${BASE}${url}`,
    headers: token === null ? {} : bearer(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const tables = async () => {
  const k = t.db.db.kysely;
  return {
    endpoints: await k.selectFrom("webhook_endpoints").selectAll().orderBy("id").execute(),
    events: await k.selectFrom("webhook_events").select("id").orderBy("id").execute(),
    deliveries: await k.selectFrom("webhook_deliveries").selectAll().orderBy("id").execute(),
  };
};

describe("endpoints", () => {
  it("are created with every event type by default and a secret shown this once", async () => {
    const res = await call("POST", "/endpoints", {
      url: "https://hooks.example.com/malipo",
      description: " Platform ",
    });
    expect(res.statusCode).toBe(201);
    const { endpoint, secret } = res.json().data;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(endpoint).toEqual({
      id: expect.stringMatching(/^whe_/),
      url: "https://hooks.example.com/malipo",
      description: "Platform",
      eventTypes: [...WEBHOOK_EVENT_TYPES],
      enabled: true,
      previousSecretExpiresAt: null,
      deliveries: { pending: 0, delivered: 0, failed: 0 },
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    for (const read of [await call("GET", "/endpoints"), await call("GET", `/endpoints/${endpoint.id}`)]) {
      expect(read.statusCode).toBe(200);
      expect(read.body).not.toContain(secret);
      expect(read.body).not.toContain("whsec_");
    }
    expect(
      (await call("GET", "/endpoints")).json().data.endpoints.map((e: { id: string }) => e.id),
    ).toContain(endpoint.id);
  });

  it("change URL, description, event types and enabled; delete takes the log with it", async () => {
    const { endpoint } = await addEndpoint(t, admin.token, {
      url: "http://127.0.0.1:9/a",
      eventTypes: ["payout.failed"],
    });
    clock.advance(1_000);
    const patched = await call("PATCH", `/endpoints/${endpoint.id}`, {
      url: "http://127.0.0.1:9/b",
      eventTypes: ["payout.failed", "refund.failed"],
      enabled: false,
      description: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().data.endpoint).toMatchObject({
      url: "http://127.0.0.1:9/b",
      eventTypes: ["payout.failed", "refund.failed"],
      enabled: false,
      description: null,
      updatedAt: clock.now().toISOString(),
    });
    expect((await call("DELETE", `/endpoints/${endpoint.id}`)).statusCode).toBe(204);
    expectError(await call("GET", `/endpoints/${endpoint.id}`), 404, "WEBHOOK_ENDPOINT_NOT_FOUND");
    expectError(await call("DELETE", `/endpoints/${endpoint.id}`), 404, "WEBHOOK_ENDPOINT_NOT_FOUND");
  });
});

describe("deliveries", () => {
  it("are listed newest first with their attempts; resent one by one; test events of any type", async () => {
    const r = await startReceiver({ status: 500, body: "nope" });
    try {
      const { endpoint } = await addEndpoint(t, admin.token, { url: r.url });
      const worker = testWorker({
        db: t.db.db,
        clock,
        policy: { baseDelayMs: 1_000, maxDelayMs: 1_000, maxAgeMs: 1_000, jitter: 0 },
      });
      const sent: string[] = [];
      for (const type of ["payment.completed", "reconciliation.discrepancy", "refund.failed"]) {
        clock.advance(1);
        const res = await call("POST", `/endpoints/${endpoint.id}/test`, { type });
        expect(res.statusCode).toBe(202);
        expect(res.json().data.delivery).toMatchObject({
          eventType: type,
          status: "pending",
          attempts: 0,
          log: [],
        });
        expect(res.json().data.delivery.eventId).toMatch(/^evt_test_/);
        sent.push(res.json().data.delivery.id);
      }
      await worker.runOnce();
      clock.advance(1_000);
      await worker.runOnce();

      const page1 = await call("GET", `/endpoints/${endpoint.id}/deliveries?limit=2`);
      expect(page1.statusCode).toBe(200);
      expect(page1.json()).toMatchObject({ success: true, count: 2, total: 3, page: 1, pages: 2 });
      const [newest] = page1.json().deliveries;
      expect(newest).toMatchObject({ id: sent[2], status: "failed", attempts: 2, lastStatusCode: 500 });
      expect(newest.log).toEqual([
        expect.objectContaining({
          attempt: 1,
          outcome: "http_error",
          statusCode: 500,
          responseExcerpt: "nope",
        }),
        expect.objectContaining({ attempt: 2, outcome: "http_error", statusCode: 500 }),
      ]);
      const page2 = await call("GET", `/endpoints/${endpoint.id}/deliveries?limit=2&page=2`);
      expect(page2.json().deliveries.map((d: { id: string }) => d.id)).toEqual([sent[0]]);
      const failedOnly = await call("GET", `/endpoints/${endpoint.id}/deliveries?status=failed`);
      expect(failedOnly.json().total).toBe(3);
      expect((await call("GET", `/endpoints/${endpoint.id}`)).json().data.endpoint.deliveries).toEqual({
        pending: 0,
        delivered: 0,
        failed: 3,
      });

      r.fallback = { status: 200, body: "ok" };
      const resent = await call("POST", `/deliveries/${sent[0]}/resend`);
      expect(resent.statusCode).toBe(202);
      expect(resent.json().data.delivery).toMatchObject({
        status: "pending",
        nextAttemptAt: clock.now().toISOString(),
      });
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      const since = await call("POST", `/endpoints/${endpoint.id}/resend-failed`, { since: "2000-01-01" });
      expect(since.json()).toEqual({ success: true, data: { requeued: 2 } });
      expect(await worker.runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
      expect(
        (
          await call("POST", `/endpoints/${endpoint.id}/resend-failed`, { since: "2000-01-01T00:00:00Z" })
        ).json().data,
      ).toEqual({ requeued: 0 });
    } finally {
      await r.close();
      await t.db.db.kysely.deleteFrom("webhook_endpoints").execute();
    }
  });
});

describe("refusals change nothing", () => {
  it("no session, not an admin, unknown ids, bad bodies, bad URLs and event types, a disabled endpoint", async () => {
    const { endpoint } = await addEndpoint(t, admin.token, { url: "http://127.0.0.1:9/keep" });
    const off = await addEndpoint(t, admin.token, { url: "http://127.0.0.1:9/off", enabled: false });
    const before = await tables();
    const cases: Array<[Method, string, unknown, string | null, number, ErrorCode]> = [
      ["GET", "/endpoints", undefined, null, 401, "UNAUTHORIZED"],
      ["POST", "/endpoints", { url: "https://x.example.com" }, null, 401, "UNAUTHORIZED"],
      ["GET", "/endpoints", undefined, customer.token, 403, "FORBIDDEN"],
      ["POST", `/endpoints/${endpoint.id}/rotate-secret`, undefined, customer.token, 403, "FORBIDDEN"],
      ["DELETE", `/endpoints/${endpoint.id}`, undefined, customer.token, 403, "FORBIDDEN"],
      ["POST", `/deliveries/whd_x/resend`, undefined, customer.token, 403, "FORBIDDEN"],
      ["GET", "/endpoints/whe_missing", undefined, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["PATCH", "/endpoints/whe_missing", { enabled: true }, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["POST", "/endpoints/whe_missing/rotate-secret", {}, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["GET", "/endpoints/whe_missing/deliveries", undefined, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["POST", "/endpoints/whe_missing/test", {}, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      [
        "POST",
        "/endpoints/whe_missing/resend-failed",
        { since: "2026-01-01" },
        admin.token,
        404,
        "WEBHOOK_ENDPOINT_NOT_FOUND",
      ],
      ["POST", "/deliveries/whd_missing/resend", undefined, admin.token, 404, "WEBHOOK_DELIVERY_NOT_FOUND"],
      ["GET", "/endpoints/bad%20id", undefined, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        "/endpoints",
        { url: "ftp://hooks.example.com/" },
        admin.token,
        400,
        "WEBHOOK_URL_NOT_ALLOWED",
      ],
      ["POST", "/endpoints", { url: "not a url" }, admin.token, 400, "WEBHOOK_URL_NOT_ALLOWED"],
      [
        "POST",
        "/endpoints",
        { url: "https://u:p@hooks.example.com/" },
        admin.token,
        400,
        "WEBHOOK_URL_NOT_ALLOWED",
      ],
      ["POST", "/endpoints", {}, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", eventTypes: [] },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", eventTypes: ["payment.paid"] },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", eventTypes: ["payout.failed", "payout.failed"] },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", secret: "whsec_mine" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", description: "d".repeat(201) },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      ["PATCH", `/endpoints/${endpoint.id}`, {}, admin.token, 400, "VALIDATION_ERROR"],
      [
        "PATCH",
        `/endpoints/${endpoint.id}`,
        { url: "gopher://x" },
        admin.token,
        400,
        "WEBHOOK_URL_NOT_ALLOWED",
      ],
      ["PATCH", `/endpoints/${endpoint.id}`, { enabled: "yes" }, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        `/endpoints/${endpoint.id}/rotate-secret`,
        { overlapSeconds: -1 },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        `/endpoints/${endpoint.id}/test`,
        { type: "payment.paid" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      ["POST", `/endpoints/${off.endpoint.id}/test`, {}, admin.token, 409, "WEBHOOK_ENDPOINT_DISABLED"],
      ["POST", `/endpoints/${endpoint.id}/resend-failed`, {}, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        `/endpoints/${endpoint.id}/resend-failed`,
        { since: "yesterday!" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        `/endpoints/${endpoint.id}/resend-failed`,
        { since: "2026-13-45T99:00" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "GET",
        `/endpoints/${endpoint.id}/deliveries?status=lost`,
        undefined,
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "GET",
        `/endpoints/${endpoint.id}/deliveries?limit=1000`,
        undefined,
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
    ];
    for (const [method, url, payload, token, status, code] of cases) {
      const res = await call(method, url, payload, token);
      expect({ method, url, status: res.statusCode, code: res.json().error?.code }).toEqual({
        method,
        url,
        status,
        code,
      });
      expectError(res, status, code);
    }
    expect(await tables()).toEqual(before);
  });
});
