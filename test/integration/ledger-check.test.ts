/**
 * The periodic ledger check: sum of entries zero and escrow = Σ held fees, as Prometheus gauges and in
 * `/ready`'s detail. The test breaks the books on purpose (outside any money path) and mends them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { postTransfer } from "../../src/ledger/ledger.ts";
import { createLedgerMonitor } from "../../src/ledger/ledger-check.ts";
import { createLogger } from "../../src/logger.ts";
import { createMetrics } from "../../src/metrics.ts";
import { bearer, createBooking, registerUser, startTestApp, type TestApp } from "../support/app.ts";
import { testEngine } from "../support/db.ts";

const TOKEN = "metrics-token-for-ledger";

describe(`ledger check (${testEngine()})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const ready = async () => (await t.app.inject({ method: "GET", url: "/ready" })).json();
  const gauges = async () => {
    const text = (await t.app.inject({ method: "GET", url: "/metrics", headers: bearer(TOKEN) })).body;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    return {
      sum: value("ledger_entries_sum_kes"),
      escrow: value("ledger_escrow_difference_kes"),
      checkedAt: value("ledger_check_timestamp_seconds"),
    };
  };

  it("says 'unknown' in /ready until the first check has run", async () => {
    const body = await ready();
    expect(body).toEqual({ status: "ready", ledger: { status: "unknown", checkedAt: null } });
  });

  it("reports a balanced ledger, escrow equal to the held fees, in /ready and as gauges", async () => {
    const customer = await registerUser(t.app);
    const booking = await createBooking(t.app, customer.token);
    const fee = await t.db.db.kysely
      .selectFrom("booking_fees")
      .select(["id", "amount"])
      .where("booking_id", "=", booking.id)
      .executeTakeFirstOrThrow();
    await t.db.db.kysely
      .updateTable("booking_fees")
      .set({ status: "held" })
      .where("id", "=", fee.id)
      .execute();
    await postTransfer(t.db.db.kysely, {
      key: `check:${fee.id}`,
      kind: "fee_paid",
      debit: "mpesa_clearing",
      credit: "booking_fee_escrow",
      amount: fee.amount,
      bookingFeeId: fee.id,
      at: new Date(),
    });
    const result = await t.services.ledgerCheck.runOnce();
    expect(result).toMatchObject({ balanced: true, entriesSumKes: 0, escrowDifferenceKes: 0 });
    expect(await ready()).toEqual({
      status: "ready",
      ledger: { status: "balanced", checkedAt: result.checkedAt, entriesSumKes: 0, escrowDifferenceKes: 0 },
    });
    expect(await gauges()).toEqual({ sum: 0, escrow: 0, checkedAt: Date.parse(result.checkedAt) / 1000 });

    // A fee marked refunded while its money stays in escrow: escrow holds 500 more than the held fees.
    await t.db.db.kysely
      .updateTable("booking_fees")
      .set({ status: "refunded" })
      .where("id", "=", fee.id)
      .execute();
    // And a stray entry with no counterpart: the entries no longer sum to zero.
    const transfer = await t.db.db.kysely
      .selectFrom("ledger_transfers")
      .select("id")
      .where("transfer_key", "=", `check:${fee.id}`)
      .executeTakeFirstOrThrow();
    await t.db.db.kysely
      .insertInto("ledger_entries")
      .values({
        id: "ent_stray",
        transfer_id: transfer.id,
        account_code: "suspense",
        amount: 7,
        created_at: new Date().toISOString(),
      })
      .execute();
    const broken = await t.services.ledgerCheck.runOnce();
    expect(broken).toMatchObject({ balanced: false, entriesSumKes: 7, escrowDifferenceKes: fee.amount });
    const res = await t.app.inject({ method: "GET", url: "/ready" });
    // An accounting alarm, not a reason to take the process out of the load balancer.
    expect(res.statusCode).toBe(200);
    expect(res.json().ledger).toEqual({
      status: "unbalanced",
      checkedAt: broken.checkedAt,
      entriesSumKes: 7,
      escrowDifferenceKes: fee.amount,
    });
    expect(await gauges()).toMatchObject({ sum: 7, escrow: fee.amount });

    // Mended, the next check says so (and the ledger is left balanced).
    await t.db.db.kysely.deleteFrom("ledger_entries").where("id", "=", "ent_stray").execute();
    await t.db.db.kysely
      .updateTable("booking_fees")
      .set({ status: "held" })
      .where("id", "=", fee.id)
      .execute();
    expect((await t.services.ledgerCheck.runOnce()).balanced).toBe(true);
    expect((await ready()).ledger.status).toBe("balanced");
  });

  it("runs once on start, then on its interval", async () => {
    const metrics = createMetrics();
    const monitor = createLedgerMonitor({
      db: t.db.db,
      metrics,
      logger: createLogger("silent"),
      clock: { now: () => new Date() },
      intervalMs: 20,
    });
    await monitor.start();
    const first = monitor.latest();
    expect(first?.balanced).toBe(true);
    await vi.waitFor(() => expect(monitor.latest()).not.toBe(first), { timeout: 5_000, interval: 10 });
    await monitor.stop();
  });
});
