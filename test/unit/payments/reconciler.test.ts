import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PaymentTransactionRow } from "../../../src/db/schema.ts";
import { newId } from "../../../src/ids.ts";
import { createReconciler } from "../../../src/payments/reconciler.ts";
import { PUSH_UNCONFIRMED_REASON } from "../../../src/payments/state-machine.ts";
import { defaultTimings, nextBackoffCheck } from "../../../src/payments/timings.ts";
import type { Actor } from "../../../src/users/user.ts";
import {
  callbackBody,
  checkoutIdFor,
  createPaymentsHarness,
  type PaymentsHarness,
} from "../../support/payments.ts";

let h: PaymentsHarness;
let customer: Actor;
let bookingId: string;

beforeEach(async () => {
  h = await createPaymentsHarness();
  customer = await h.customer();
  ({ bookingId } = await h.booking(customer));
});
afterEach(async () => {
  await h.close();
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

async function row(id: string): Promise<PaymentTransactionRow> {
  return h.db.db.kysely
    .selectFrom("payment_transactions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}
const start = () =>
  h.payments.initiateStkPush({ userId: customer.id, bookingId, phoneNumber: "254708374149" });

describe("backoff schedule", () => {
  const t = defaultTimings(15_000);
  const created = new Date("2026-01-15T09:00:00.000Z");
  const offsets = (nows: number[]) =>
    nows.map(
      (n) =>
        (nextBackoffCheck(created, new Date(created.getTime() + n), t).getTime() - created.getTime()) /
        SECOND,
    );

  it("checks at 30 s, then +1, +2, +5, +10, +30 min, +1 h … and never after 24 h", () => {
    expect(offsets([0, 30 * SECOND, 90 * SECOND, 210 * SECOND, 510 * SECOND])).toEqual([
      30, 90, 210, 510, 1110,
    ]);
    expect(offsets([1110 * SECOND, 2910 * SECOND])).toEqual([2910, 2910 + 3600]);
    // 2 h, 4 h, 8 h, then 8 h steps: 56 910 s, 85 710 s, then the 24 h deadline.
    expect(offsets([6510 * SECOND, 28110 * SECOND, 23 * HOUR])).toEqual([13710, 56910, 85710]);
    expect(offsets([23.9 * HOUR, 30 * HOUR])).toEqual([24 * 3600, 24 * 3600]);
  });
});

describe("reconciler", () => {
  it("asks Daraja about due attempts only, and applies the answer", async () => {
    const { data } = await start();
    expect(await h.payments.reconciler.runOnce()).toEqual({ payments: 0, settled: 0, callbacks: 0 });
    h.clock.advance(30 * SECOND);
    h.daraja.answerQuery(checkoutIdFor(1), "0", "The service request is processed successfully.");
    expect(await h.payments.reconciler.runOnce()).toEqual({ payments: 1, settled: 1, callbacks: 0 });
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      lease_owner: null,
      check_attempts: 1,
    });
    expect(h.daraja.queries).toEqual([checkoutIdFor(1)]);
  });

  it("backs off while Daraja says 'still processing', and sends the attempt to review after 24 h", async () => {
    const { data } = await start();
    const created = new Date((await row(data.transactionId)).created_at).getTime();
    let passes = 0;
    for (;;) {
      const next = (await row(data.transactionId)).next_check_at;
      if (next === null) break;
      h.clock.set(next);
      await h.payments.reconciler.runOnce();
      passes += 1;
      if (passes > 40) throw new Error("never settled");
    }
    const final = await row(data.transactionId);
    expect(final.status).toBe("needs_review");
    expect(final.failure_reason).toBe("no final answer from M-Pesa within 24 hours");
    expect(h.clock.now().getTime() - created).toBe(24 * HOUR);
    // 30 s, 1, 2, 5, 10, 30 min, 1, 2, 4, 8 h, then 8 h steps capped at the deadline.
    expect(passes).toBe(h.daraja.queries.length);
    expect(passes).toBeLessThan(16);
    expect((await h.balances()).booking_fee_escrow).toBe(0);
  });

  it("a failed query reschedules without touching the status", async () => {
    const { data } = await start();
    h.daraja.onQuery = async () => {
      throw new Error("network down");
    };
    h.clock.advance(30 * SECOND);
    await h.payments.reconciler.runOnce();
    const tx = await row(data.transactionId);
    expect(tx.status).toBe("pending");
    expect(new Date(tx.next_check_at ?? 0).getTime() - new Date(tx.created_at).getTime()).toBe(90 * SECOND);
  });

  it("several reconcilers at once ask about each attempt once (leases)", async () => {
    const { data } = await start();
    h.clock.advance(30 * SECOND);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.daraja.onQuery = async () => {
      await gate;
      return { kind: "not_final", reason: "processing", resultDesc: "still" };
    };
    const others = [1, 2, 3].map(() => createReconciler(h.payments.context, { intervalMs: 1_000 }));
    const passes = Promise.all([h.payments.reconciler.runOnce(), ...others.map((r) => r.runOnce())]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const summaries = await passes;
    expect(summaries.reduce((n, x) => n + x.payments, 0)).toBe(1);
    expect(h.daraja.queries).toHaveLength(1);
    expect((await row(data.transactionId)).lease_until).toBeNull();
  });

  it("works several due attempts at once, up to its concurrency, and batch after batch in one pass", async () => {
    // Seven open attempts, due together.
    for (let i = 0; i < 7; i++) {
      const c = await h.customer();
      const { bookingId: b } = await h.booking(c);
      await h.payments.initiateStkPush({ userId: c.id, bookingId: b, phoneNumber: `2547000010${10 + i}` });
    }
    h.clock.advance(30 * SECOND);
    let inFlight = 0;
    let peak = 0;
    const waiting: Array<() => void> = [];
    h.daraja.onQuery = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      return { kind: "not_final", reason: "processing", resultDesc: "still" };
    };
    const reconciler = createReconciler(h.payments.context, {
      intervalMs: 1_000,
      batchSize: 4,
      concurrency: 3,
    });
    const pass = reconciler.runOnce();
    // Let the queries through as they come, a few at a time.
    let done = false;
    void pass.finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      waiting.splice(0).forEach((go) => {
        go();
      });
    }
    expect(await pass).toMatchObject({ payments: 7 });
    expect(peak).toBe(3);
    expect(h.daraja.queries).toHaveLength(7);
  });

  it("an attempt left 'initiated' by a crash becomes unknown, then failed when no callback came", async () => {
    const { data } = await start();
    h.daraja.answerQuery(checkoutIdFor(1), "1032", "cancelled");
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1), resultCode: 1032 }),
    );
    // As if a process wrote the row and stopped before calling Daraja.
    const fee = await h.db.db.kysely
      .selectFrom("booking_fees")
      .selectAll()
      .where("booking_id", "=", bookingId)
      .executeTakeFirstOrThrow();
    const id = newId("pay");
    const at = h.clock.now().toISOString();
    await h.db.db.kysely
      .insertInto("payment_transactions")
      .values({
        id,
        booking_id: bookingId,
        booking_fee_id: fee.id,
        user_id: customer.id,
        phone_number: "254708374149",
        amount: 500,
        currency: "KES",
        status: "initiated",
        open_fee_key: fee.id,
        check_attempts: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    h.clock.advance(30 * SECOND);
    await h.payments.reconciler.runOnce();
    expect((await row(id)).status).toBe("initiated");
    h.clock.advance(60 * SECOND);
    await h.payments.reconciler.runOnce();
    expect(await row(id)).toMatchObject({ status: "pending", checkout_request_id: null });
    h.clock.advance(3 * MINUTE);
    await h.payments.reconciler.runOnce();
    expect(await row(id)).toMatchObject({
      status: "failed",
      failure_reason: PUSH_UNCONFIRMED_REASON,
      open_fee_key: null,
    });
    expect(h.daraja.pushes).toHaveLength(1);
  });

  it("runs on its own timer once started, and stops cleanly", async () => {
    const { data } = await start();
    h.clock.advance(30 * SECOND);
    h.daraja.answerQuery(checkoutIdFor(1), "1", "The balance is insufficient for the transaction.");
    const reconciler = createReconciler(h.payments.context, { intervalMs: 10 });
    reconciler.start();
    const until = Date.now() + 3_000;
    while ((await row(data.transactionId)).status === "pending" && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await reconciler.stop();
    expect((await row(data.transactionId)).status).toBe("failed");
  });
});
