/**
 * The wake-up a webhook worker waits on. On PostgreSQL it is a connection held open to LISTEN,
 * shared in shape with the payment events bus (`listenOnChannel`): it hears a NOTIFY from any
 * connection, comes back after its connection is killed (and says so, so the worker sweeps what it
 * missed), and never keeps a connection once closed — even when closed while LISTEN is on its way.
 * PostgreSQL only by nature (SQLite's wake-ups are in-process), so both projects run it on
 * PostgreSQL.
 */
import { sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { listenOnChannel } from "../../src/db/listen.ts";
import { createLogger } from "../../src/logger.ts";
import { createPaymentEventBus } from "../../src/payments/events.ts";
import { webhookChannel } from "../../src/webhooks/outbox.ts";
import { createWakeSource } from "../../src/webhooks/wake.ts";
import { createTestDb, type TestDb } from "../support/db.ts";

const logger = createLogger("silent");
let t: TestDb;
beforeEach(async () => {
  t = await createTestDb("postgres");
});
afterEach(async () => {
  await t.cleanup();
});

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

it("hears a NOTIFY, comes back after its connection is killed, and keeps nothing once closed", async () => {
  const pool = t.db.pgPool;
  if (!pool) throw new Error("a PostgreSQL database has a pool");
  const channel = webhookChannel(t.schema ?? null);
  const heard: string[] = [];
  let listening = 0;
  const listener = listenOnChannel({
    pool,
    channel,
    logger,
    what: "test",
    reconnectMs: 20,
    onNotification: (m) => heard.push(m.payload ?? ""),
    onListening: () => listening++,
  });
  await listener.start();
  expect(listening).toBe(1);
  await sql`SELECT pg_notify(${channel}, 'one')`.execute(t.db.kysely);
  await until(() => heard.includes("one"));

  // Kill the LISTEN connection from another session: the listener must reconnect by itself.
  await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = ${`LISTEN "${channel}"`}`.execute(
    t.db.kysely,
  );
  await until(() => listening === 2);
  await sql`SELECT pg_notify(${channel}, 'two')`.execute(t.db.kysely);
  await until(() => heard.includes("two"));

  await listener.close();
  await until(() => pool.totalCount === pool.idleCount);
  await sql`SELECT pg_notify(${channel}, 'three')`.execute(t.db.kysely);
  await new Promise((r) => setTimeout(r, 100));
  expect(heard).not.toContain("three");
});

it("closed while LISTEN is on its way, the events bus and the wake-up release the connection they were opening", async () => {
  const pool = t.db.pgPool;
  if (!pool) throw new Error("a PostgreSQL database has a pool");
  // The payment events bus and the webhook wake-up, each started and closed at once, five times.
  const makers = [
    () => createPaymentEventBus({ db: t.db, logger }),
    () => createWakeSource({ db: t.db, logger, wake: () => {} }),
  ];
  for (let i = 0; i < 10; i += 1) {
    const listener = (makers[i % 2] as (typeof makers)[number])();
    const starting = listener.start();
    await listener.close();
    await starting;
    // Every connection the pool opened is back (idle) or gone: none is held by a closed listener.
    await until(() => pool.totalCount === pool.idleCount);
  }
});
