/**
 * Several processes share delivery through leases, on both engines (PostgreSQL is where production
 * runs several): two workers on two connections to one database deliver every event with no double
 * attempt, each attempt logged once; a lease is taken by compare-and-set, and an attempt whose lease
 * was lost is not logged twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { createDatabase, type Db } from "../../src/db/database.ts";
import { claimDelivery, findDueDeliveries, recordAttempt } from "../../src/webhooks/deliveries.repository.ts";
import { exampleData } from "../../src/webhooks/examples.ts";
import { enqueueWebhookEvent } from "../../src/webhooks/outbox.ts";
import { createAdmin, type RegisteredUser, startTestApp, type TestApp } from "../support/app.ts";
import {
  addEndpoint,
  attemptsOf,
  deleteAllEndpoints,
  deliveriesOf,
  startReceiver,
  TEST_BACKOFF,
  testWorker,
} from "../support/webhooks.ts";

let t: TestApp;
let other: Db;
let admin: RegisteredUser;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  t = await startTestApp({ clock });
  // A second process: its own connection (pool) to the same database.
  other = createDatabase(t.db.url, t.db.schema ? { schema: t.db.schema, poolSize: 5 } : {});
  admin = await createAdmin(t);
});
afterAll(async () => {
  await other?.destroy();
  await t?.close();
});

async function enqueue(count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await t.db.db.kysely.transaction().execute((trx) =>
      enqueueWebhookEvent(trx, {
        type: "payment.completed",
        data: exampleData("payment.completed"),
        at: clock.now(),
      }),
    );
}

describe("two workers on one database", () => {
  it("deliver every event, each attempt made and logged once, none twice", async () => {
    const r = await startReceiver();
    try {
      // The first ten requests fail, whichever deliveries they are: those are retried.
      r.script(...Array(10).fill({ status: 500, body: "busy" }));
      const { endpoint } = await addEndpoint(t, admin.token, { url: r.url });
      await enqueue(40);
      const workers = [
        testWorker({ db: t.db.db, clock, batchSize: 5 }),
        testWorker({ db: other, clock, batchSize: 5 }),
      ];
      let claimed = 0;
      for (let round = 0; round < 40; round++) {
        const passes = await Promise.all(workers.map((w) => w.runOnce()));
        claimed += passes.reduce((sum, p) => sum + p.claimed, 0);
        const pending = (await deliveriesOf(t.db.db, endpoint.id)).filter((d) => d.status === "pending");
        if (pending.length === 0) break;
        if (passes.every((p) => p.claimed === 0)) clock.advance(TEST_BACKOFF.baseDelayMs);
      }
      const deliveries = await deliveriesOf(t.db.db, endpoint.id);
      expect(deliveries).toHaveLength(40);
      expect(deliveries.every((d) => d.status === "delivered" && d.lease_owner === null)).toBe(true);

      const logs = await Promise.all(deliveries.map((d) => attemptsOf(t.db.db, d.id)));
      const attempts = logs.flat();
      expect(attempts).toHaveLength(r.received.length);
      expect(claimed).toBe(r.received.length);
      expect(r.received).toHaveLength(50);
      for (const [i, log] of logs.entries()) {
        expect(log.map((a) => a.attempt)).toEqual(log.map((_, n) => n + 1));
        expect(deliveries[i]?.attempts).toBe(log.length);
      }
      const succeeded = r.received.filter((q) => q.answer !== "hang" && q.answer.status === 200);
      const ids = succeeded.map((q) => q.headers["webhook-id"]);
      expect(new Set(ids).size).toBe(40);
      expect(ids).toHaveLength(40);
    } finally {
      await deleteAllEndpoints(t.db.db);
      await r.close();
    }
  });
});

describe("a lease", () => {
  it("is taken by one worker at a time, and an attempt made after losing it is not logged", async () => {
    const { endpoint } = await addEndpoint(t, admin.token, { url: "http://127.0.0.1:9/lease" });
    try {
      await enqueue(1);
      const [id] = await findDueDeliveries(t.db.db.kysely, clock.now(), 10);
      expect(id).toBeDefined();
      const deliveryId = id as string;
      const now = clock.now();
      const until = new Date(now.getTime() + 60_000);
      const claims = await Promise.all([
        claimDelivery(t.db.db.kysely, { id: deliveryId, owner: "worker-a", now, until }),
        claimDelivery(other.kysely, { id: deliveryId, owner: "worker-b", now, until }),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      const [winner, loser] = claims[0] ? ["worker-a", "worker-b"] : ["worker-b", "worker-a"];
      expect(await findDueDeliveries(t.db.db.kysely, now, 10)).not.toContain(deliveryId);

      // The winner stalls past its lease; the other takes it over and records its attempt.
      clock.advance(60_001);
      const later = clock.now();
      const record = (owner: string) => ({
        deliveryId,
        owner,
        attempt: 1,
        outcome: "delivered" as const,
        statusCode: 200,
        latencyMs: 5,
        excerpt: "ok",
        error: null,
        startedAt: later,
        finishedAt: later,
        next: { status: "delivered" as const },
      });
      expect(
        await claimDelivery(other.kysely, {
          id: deliveryId,
          owner: loser as string,
          now: later,
          until: new Date(later.getTime() + 60_000),
        }),
      ).toBe(true);
      expect(
        await t.db.db.kysely.transaction().execute((trx) => recordAttempt(trx, record(loser as string))),
      ).toBe(true);
      expect(
        await t.db.db.kysely.transaction().execute((trx) => recordAttempt(trx, record(winner as string))),
      ).toBe(false);
      expect(await attemptsOf(t.db.db, deliveryId)).toHaveLength(1);
      expect((await deliveriesOf(t.db.db, endpoint.id))[0]).toMatchObject({
        status: "delivered",
        attempts: 1,
      });
    } finally {
      await deleteAllEndpoints(t.db.db);
    }
  });
});
