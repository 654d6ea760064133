/**
 * Delivery to a real receiver (node:http on 127.0.0.1), on both engines: one that fails, times out
 * and recovers gets every event exactly as signed (verified with the reference library), each
 * attempt logged once; a receiver that never recovers is given up on after 3 days and can be sent
 * everything again; the worker is woken by the commit itself. Retries never wait: the test moves
 * the clock to when they are due.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, schedule } from "../../src/webhooks/backoff.ts";
import { EXCERPT_BYTES } from "../../src/webhooks/sender.ts";
import { bearer, createAdmin, type RegisteredUser } from "../support/app.ts";
import { completedBooking, paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import {
  addEndpoint,
  attemptsOf,
  deleteAllEndpoints,
  deliveriesOf,
  type Receiver,
  startReceiver,
  testWorker,
  verifyAsReceiver,
} from "../support/webhooks.ts";

let s: PaymentsStack;
// Only a wake-up can deliver promptly: the sweep would come after an hour.
withPaymentsStack(
  (stack) => {
    s = stack;
  },
  { env: { WEBHOOKS_SWEEP_INTERVAL_MS: "3600000" } },
);

let admin: RegisteredUser;
const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await deleteAllEndpoints(s.t.db.db);
  for (const r of receivers.splice(0)) await r.close();
});
const db = () => s.t.db.db;
const adminToken = async () => {
  admin ??= await createAdmin(s.t);
  return admin.token;
};

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await s.t.services.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

describe("a receiver that fails, times out and recovers", () => {
  it("gets every event exactly as signed, once it answers 2xx; each attempt is logged once", async () => {
    const r = await receiver();
    r.script({ status: 500, body: "x".repeat(5_000) }, "hang");
    const { endpoint, secret } = await addEndpoint(s.t, await adminToken(), { url: r.url });
    const worker = testWorker({ db: db(), clock: s.clock, metrics: s.t.services.metrics });
    const before = {
      delivered: await metric("webhook_deliveries_total", { outcome: "delivered" }),
      failedHttp: await metric("webhook_deliveries_total", { outcome: "http_error" }),
      timeouts: await metric("webhook_deliveries_total", { outcome: "timeout" }),
    };

    await paidBooking(s);
    expect(await worker.runOnce()).toEqual({ claimed: 2, delivered: 0, retrying: 2, failed: 0 });
    expect(r.received).toHaveLength(2);
    // Not due before its backoff (1 s in this test): nothing is attempted early.
    expect((await worker.runOnce()).claimed).toBe(0);
    s.clock.advance(TEST_RETRY_MS);
    expect(await worker.runOnce()).toEqual({ claimed: 2, delivered: 2, retrying: 0, failed: 0 });

    await completedBooking(s);
    expect(await worker.runOnce()).toMatchObject({ claimed: 3, delivered: 3 });
    expect(await metric("webhook_backlog")).toBe(0);

    const deliveries = await deliveriesOf(db(), endpoint.id);
    expect(deliveries.map((d) => d.status)).toEqual(Array(5).fill("delivered"));
    const events = await db()
      .kysely.selectFrom("webhook_events")
      .selectAll()
      .where(
        "id",
        "in",
        deliveries.map((d) => d.event_id),
      )
      .execute();
    const answered = r.received.filter((q) => q.answer !== "hang" && q.answer.status === 200);
    expect(answered).toHaveLength(5);
    expect(new Set(answered.map((q) => q.headers["webhook-id"]))).toEqual(new Set(events.map((e) => e.id)));
    for (const request of answered) {
      const event = events.find((e) => e.id === request.headers["webhook-id"]);
      expect(request.body).toBe(event?.payload);
      expect(verifyAsReceiver(secret, request, s.clock.now())).toEqual(JSON.parse(request.body));
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.path).toBe("/hooks/malipo");
    }
    // The retried ones carried the same webhook-id both times.
    const [first, second] = r.received;
    const retried = r.received.slice(2, 4).map((q) => q.headers["webhook-id"]);
    expect(new Set(retried)).toEqual(new Set([first?.headers["webhook-id"], second?.headers["webhook-id"]]));

    const logs = await Promise.all(deliveries.map((d) => attemptsOf(db(), d.id)));
    expect(logs.flat()).toHaveLength(r.received.length);
    const firstTries = logs.filter((log) => log.length === 2).map((log) => log[0]);
    expect(firstTries.map((a) => a?.outcome).sort()).toEqual(["http_error", "timeout"]);
    const failed = firstTries.find((a) => a?.outcome === "http_error");
    expect(failed).toMatchObject({ attempt: 1, status_code: 500, error: "the endpoint answered 500" });
    expect(failed?.response_excerpt).toBe("x".repeat(EXCERPT_BYTES));
    expect(firstTries.find((a) => a?.outcome === "timeout")).toMatchObject({
      status_code: null,
      response_excerpt: null,
      error: "no answer within 300 ms",
    });
    for (const log of logs) {
      expect(log.map((a) => a.attempt)).toEqual(log.map((_, i) => i + 1));
      expect(log.at(-1)).toMatchObject({ outcome: "delivered", status_code: 200, response_excerpt: "ok" });
      for (const a of log) expect(a.latency_ms).toBeGreaterThanOrEqual(0);
    }
    expect(await metric("webhook_deliveries_total", { outcome: "delivered" })).toBe(before.delivered + 5);
    expect(await metric("webhook_deliveries_total", { outcome: "http_error" })).toBe(before.failedHttp + 1);
    expect(await metric("webhook_deliveries_total", { outcome: "timeout" })).toBe(before.timeouts + 1);
  });
});

const TEST_RETRY_MS = 1_000;

describe("a receiver that never recovers", () => {
  it("is tried on the schedule for 3 days, then the delivery is failed; resending all failed delivers it", async () => {
    const r = await receiver({ status: 503, body: "down" });
    const { endpoint, secret } = await addEndpoint(s.t, await adminToken(), { url: r.url });
    const worker = testWorker({
      db: db(),
      clock: s.clock,
      policy: DEFAULT_BACKOFF,
      metrics: s.t.services.metrics,
    });
    const gaveUp = await metric("webhook_deliveries_failed_total");
    const test = await s.t.app.inject({
      method: "POST",
      url: `/api/v1/admin/webhooks/endpoints/${endpoint.id}/test`,
      headers: bearer(await adminToken()),
      payload: { type: "reconciliation.discrepancy" },
    });
    expect(test.statusCode).toBe(202);
    const deliveryId = test.json().data.delivery.id as string;
    const start = s.clock.now().getTime();
    for (let pass = 0; pass < 100; pass++) {
      await worker.runOnce();
      const row = await db()
        .kysely.selectFrom("webhook_deliveries")
        .selectAll()
        .where("id", "=", deliveryId)
        .executeTakeFirstOrThrow();
      if (row.status !== "pending") break;
      s.clock.set(row.next_attempt_at as string);
    }
    const log = await attemptsOf(db(), deliveryId);
    const expected = schedule(DEFAULT_BACKOFF, () => 0.5);
    expect(log.map((a) => new Date(a.started_at).getTime() - start)).toEqual(expected);
    expect(log.every((a) => a.outcome === "http_error" && a.status_code === 503)).toBe(true);
    expect((await deliveriesOf(db(), endpoint.id))[0]).toMatchObject({
      status: "failed",
      attempts: expected.length,
      next_attempt_at: null,
      last_status_code: 503,
    });
    expect(await metric("webhook_deliveries_failed_total")).toBe(gaveUp + 1);

    r.fallback = { status: 204 };
    const resend = await s.t.app.inject({
      method: "POST",
      url: `/api/v1/admin/webhooks/endpoints/${endpoint.id}/resend-failed`,
      headers: bearer(await adminToken()),
      payload: { since: new Date(start).toISOString() },
    });
    expect(resend.json()).toEqual({ success: true, data: { requeued: 1 } });
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    const last = r.received.at(-1);
    expect(last?.headers["webhook-id"]).toBe(test.json().data.delivery.eventId);
    expect(verifyAsReceiver(secret, last as NonNullable<typeof last>, s.clock.now())).toMatchObject({
      type: "reconciliation.discrepancy",
      data: { kind: "missing_here", id: expect.stringMatching(/^test_/) },
    });
    expect((await attemptsOf(db(), deliveryId)).at(-1)).toMatchObject({
      attempt: expected.length + 1,
      outcome: "delivered",
      status_code: 204,
    });
  });
});

describe("after commit", () => {
  it("the running worker is woken by the change's commit and delivers without a sweep", async () => {
    const r = await receiver();
    const { secret } = await addEndpoint(s.t, await adminToken(), {
      url: r.url,
      eventTypes: ["payment.completed"],
    });
    await s.t.services.webhooks.start();
    try {
      const c = await paidBooking(s);
      await r.waitFor(1);
      await s.t.services.webhooks.worker.whenIdle();
      const body = verifyAsReceiver(
        secret,
        r.received[0] as NonNullable<(typeof r.received)[0]>,
        s.clock.now(),
      );
      expect(body).toMatchObject({
        type: "payment.completed",
        data: { id: c.transactionId, status: "completed" },
      });
    } finally {
      await s.t.services.webhooks.stop();
    }
    expect(r.received).toHaveLength(1);
  });
});
