/**
 * The admin webhook routes on both engines: endpoints CRUD with the secret shown only on create and
 * rotate, the paged delivery log, resends and test events (refusals: webhooks-admin-refusals).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { WEBHOOK_EVENT_TYPES } from "../../src/webhooks/catalogue.ts";
import {
  bearer,
  createAdmin,
  expectError,
  type RegisteredUser,
  startTestApp,
  type TestApp,
} from "../support/app.ts";
import { addEndpoint, startReceiver, testWorker } from "../support/webhooks.ts";

let t: TestApp;
let admin: RegisteredUser;
const clock = new ManualClock(new Date());
const BASE = "/api/v1/admin/webhooks";

beforeAll(async () => {
  t = await startTestApp({ clock });
  admin = await createAdmin(t);
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
