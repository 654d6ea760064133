/**
 * Payment status changes reach live views: in this process directly, and on PostgreSQL from another
 * process (here: a second connection pool and bus on the same schema) through LISTEN/NOTIFY, while a
 * bus on another schema hears nothing.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { createDatabase, type Db } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import type { PaymentChange } from "../../src/payments/context.ts";
import { createPaymentEventBus, type PaymentEventBus, payloadsOf } from "../../src/payments/events.ts";
import { createTestDb, type TestDb, testEngine } from "../support/db.ts";

const logger = createLogger("silent");
let main: TestDb;
let other: TestDb;
let second: Db | null;
const buses: PaymentEventBus[] = [];

beforeEach(async () => {
  main = await createTestDb();
  other = await createTestDb();
  second = testEngine() === "postgres" ? createDatabase(main.url, { schema: main.schema }) : null;
});
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
  await second?.destroy();
  await main.cleanup();
  await other.cleanup();
});

async function bus(db: Db): Promise<PaymentEventBus> {
  const b = createPaymentEventBus({ db, logger });
  await b.start();
  buses.push(b);
  return b;
}

function nextChange(
  b: PaymentEventBus,
  transactionId: string,
  timeoutMs = 3_000,
): Promise<PaymentChange | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(null);
    }, timeoutMs);
    const off = b.subscribe(transactionId, (change) => {
      clearTimeout(timer);
      off();
      resolve(change);
    });
  });
}

it("delivers a change to subscribers of that transaction only, in this process", async () => {
  const a = await bus(main.db);
  const seenOther: PaymentChange[] = [];
  a.subscribe("pay_other", (c) => seenOther.push(c));
  const received = nextChange(a, "pay_1");
  a.publish({ transactionId: "pay_1", status: "completed" });
  expect(await received).toEqual({ transactionId: "pay_1", status: "completed" });
  expect(seenOther).toEqual([]);
});

it("on PostgreSQL, a change published by another process reaches this one; other schemas stay deaf", async () => {
  const here = await bus(main.db);
  const elsewhere = await bus(other.db);
  if (second === null) {
    // SQLite is one process by design: nothing crosses, and nothing needs to.
    expect(testEngine()).toBe("sqlite");
    const deaf = nextChange(elsewhere, "pay_2", 200);
    here.publish({ transactionId: "pay_2", status: "failed" });
    expect(await deaf).toBeNull();
    return;
  }
  const there = await bus(second);
  const received = nextChange(here, "pay_2");
  const deaf = nextChange(elsewhere, "pay_2", 500);
  there.publish({ transactionId: "pay_2", status: "failed" });
  expect(await received).toEqual({ transactionId: "pay_2", status: "failed" });
  expect(await deaf).toBeNull();
});

it("on PostgreSQL, a burst of changes from another process all arrive, batched within the payload limit", async () => {
  const here = await bus(main.db);
  if (second === null) {
    expect(testEngine()).toBe("sqlite");
    const seen: PaymentChange[] = [];
    here.subscribe("pay_burst_1", (c) => seen.push(c));
    for (let i = 0; i < 3; i++) here.publish({ transactionId: "pay_burst_1", status: "pending" });
    expect(seen).toHaveLength(3);
    return;
  }
  const there = await bus(second);
  const ids = Array.from({ length: 400 }, (_, i) => `pay_burst_${i}_${"x".repeat(40)}`);
  const arrived = Promise.all(ids.map((id) => nextChange(here, id, 5_000)));
  for (const id of ids) there.publish({ transactionId: id, status: "completed" });
  const changes = await arrived;
  expect(changes.filter((c) => c?.status === "completed")).toHaveLength(ids.length);
});

it("splits a batch into payloads PostgreSQL accepts, every change in one of them", () => {
  const changes = Array.from({ length: 500 }, (_, i) => ({
    transactionId: `pay_${i}_${"y".repeat(50)}`,
    status: "completed" as const,
  }));
  const payloads = payloadsOf("origin", changes);
  expect(payloads.length).toBeGreaterThan(1);
  for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8_000);
  const back = payloads.flatMap((p) => (JSON.parse(p) as { changes: PaymentChange[] }).changes);
  expect(back).toEqual(changes);
});
