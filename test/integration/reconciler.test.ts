/**
 * The reconciler against the real emulator, on each database engine: the STK Query schedule
 * (30 s, then backing off) up to `needs_review` after 24 h; leases, so two reconcilers on one
 * database (each with its own connection, as two processes would have) never query the same attempt
 * twice, and a lease left by a dead process expires; callbacks stored but never decided are finished.
 * The emulator's prompts here wait for a person for 100 hours, so Daraja keeps saying "still processing".
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DarajaApi } from "../../src/daraja/contract.ts";
import { createDatabase, type Db } from "../../src/db/database.ts";
import { newId } from "../../src/ids.ts";
import { createLogger } from "../../src/logger.ts";
import { createPayments, type Payments } from "../../src/payments/payments.ts";
import { assertBooksBalanced } from "../support/books.ts";
import {
  callbackBody,
  emulatorDarajaClient,
  type PaymentsStack,
  startPaymentsStack,
} from "../support/payments.ts";

const SECOND = 1000;
const HOUR = 3600 * SECOND;

let s: PaymentsStack;
beforeAll(async () => {
  s = await startPaymentsStack({ emulator: { promptTimeoutMs: 100 * HOUR } });
});
beforeEach(() => {
  s.clock.advance(61_000);
});
afterEach(async () => {
  await s.t.services.payments.callbacks.whenIdle();
  await assertBooksBalanced(s.t.db.db.kysely);
});
afterAll(async () => {
  await s?.close();
});

let phoneSequence = 0;
function interactivePhone(): string {
  phoneSequence += 1;
  return `25479${String(process.pid % 10_000).padStart(4, "0")}${String(phoneSequence).padStart(3, "0")}`;
}

async function pushInteractive() {
  const c = await s.customer();
  const res = await s.stkPush(c.token, {
    phoneNumber: interactivePhone(),
    bookingId: c.bookingId,
    type: "booking_fee",
  });
  expect(res.statusCode).toBe(201);
  const { transactionId, checkoutRequestId } = res.json().data as {
    transactionId: string;
    checkoutRequestId: string;
  };
  return { c, transactionId, checkoutRequestId };
}

/** The customer cancels the prompt; waits until Malipo has answered its callback. */
async function cancel(checkoutRequestId: string) {
  s.emulator.emulator.resolve(checkoutRequestId, "cancel");
  await s.emulator.emulator.deliveries.waitFor(
    (d) => d.checkoutRequestId === checkoutRequestId && d.status === "answered",
  );
  await s.t.services.payments.callbacks.whenIdle();
}

const queriesFor = (checkoutRequestId: string) =>
  s.emulator.emulator.requests
    .list({ path: "/mpesa/stkpushquery/v1/query" })
    .filter((r) => r.checkoutRequestId === checkoutRequestId).length;

/** A second reconciler with its own database connection and Daraja client, as another process has. */
async function anotherProcess(wrap: (daraja: DarajaApi) => DarajaApi = (d) => d) {
  const db: Db = createDatabase(s.t.db.url, s.t.db.schema ? { schema: s.t.db.schema } : {});
  const daraja = emulatorDarajaClient(s.emulator.baseUrl, s.clock);
  const payments: Payments = createPayments({
    config: s.t.config,
    db,
    logger: createLogger("silent"),
    clock: s.clock,
    daraja: wrap(daraja),
  });
  return {
    payments,
    async close() {
      await payments.stop();
      await db.destroy();
    },
  };
}

/** Holds every STK Query until `open()` is called; `entered` resolves when the first one arrives. */
function gate() {
  let open!: () => void;
  let entered!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const arrived = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const wrap = (daraja: DarajaApi): DarajaApi => ({
    stkPush: (input) => daraja.stkPush(input),
    async stkQuery(checkoutRequestId) {
      entered();
      await opened;
      return daraja.stkQuery(checkoutRequestId);
    },
  });
  return { wrap, open, arrived };
}

describe("schedule", () => {
  it("queries at 30 s, then backs off (1, 2, 5, 10, 30 min, 1, 2, 4, 8 h …), then needs_review at 24 h", async () => {
    const { c, transactionId, checkoutRequestId } = await pushInteractive();
    const created = Date.parse((await s.row(transactionId)).created_at);
    const reconciler = s.t.services.payments.reconciler;
    // Not due before 30 s.
    s.clock.set(new Date(created + 29 * SECOND));
    expect(await reconciler.runOnce()).toMatchObject({ payments: 0 });
    expect(queriesFor(checkoutRequestId)).toBe(0);

    const askedAt: number[] = [];
    for (let pass = 0; pass < 20; pass++) {
      const next = (await s.row(transactionId)).next_check_at;
      if (next === null) break;
      s.clock.set(next);
      const before = queriesFor(checkoutRequestId);
      await reconciler.runOnce();
      expect(queriesFor(checkoutRequestId)).toBe(before + 1);
      askedAt.push((Date.parse(next) - created) / SECOND);
      if ((await s.row(transactionId)).status === "pending")
        expect((await s.status(c.token, transactionId)).json().transaction.status).toBe("pending");
    }
    expect(askedAt).toEqual([30, 90, 210, 510, 1110, 2910, 6510, 13710, 28110, 56910, 85710, 86400]);
    const row = await s.row(transactionId);
    expect(row).toMatchObject({
      status: "needs_review",
      failure_reason: "no final answer from M-Pesa within 24 hours",
      next_check_at: null,
      lease_owner: null,
    });
    const fee = await s.t.db.db.kysely
      .selectFrom("booking_fees")
      .select("status")
      .where("booking_id", "=", c.bookingId)
      .executeTakeFirstOrThrow();
    expect(fee.status).toBe("pending");
    // It is in the admin report's review list.
    const report = await s.t.services.reports.paymentsReport({});
    expect(report.needsReview.map((r) => r.id)).toContain(transactionId);
    await cancel(checkoutRequestId);
  });
});

describe("leases", () => {
  it("two reconcilers on one database query a due attempt once", async () => {
    const { transactionId, checkoutRequestId } = await pushInteractive();
    s.clock.advance(31 * SECOND);
    const held = gate();
    const first = await anotherProcess(held.wrap);
    const second = await anotherProcess();
    try {
      const firstPass = first.payments.reconciler.runOnce();
      await held.arrived;
      // The first holds the lease and is asking Daraja; the attempt is still due.
      expect((await s.row(transactionId)).lease_owner).toMatch(/^rec_/);
      expect(await second.payments.reconciler.runOnce()).toMatchObject({ payments: 0 });
      held.open();
      expect(await firstPass).toMatchObject({ payments: 1 });
      expect(queriesFor(checkoutRequestId)).toBe(1);
      expect(await s.row(transactionId)).toMatchObject({ status: "pending", lease_owner: null });
    } finally {
      held.open();
      await first.close();
      await second.close();
    }
    await cancel(checkoutRequestId);
  });

  it("a lease left by a process that died expires, then another reconciler takes the attempt", async () => {
    const { transactionId, checkoutRequestId } = await pushInteractive();
    s.clock.advance(31 * SECOND);
    await s.t.db.db.kysely
      .updateTable("payment_transactions")
      .set({ lease_owner: "rec_dead", lease_until: new Date(s.clock.now().getTime() + 60_000).toISOString() })
      .where("id", "=", transactionId)
      .execute();
    const other = await anotherProcess();
    try {
      expect(await s.t.services.payments.reconciler.runOnce()).toMatchObject({ payments: 0 });
      expect(await other.payments.reconciler.runOnce()).toMatchObject({ payments: 0 });
      expect(queriesFor(checkoutRequestId)).toBe(0);
      // Due but not worked on: that is the reconciler backlog /metrics shows.
      const metrics = (await s.t.app.inject({ method: "GET", url: "/metrics" })).body;
      expect(metrics).toMatch(/^reconciler_backlog 1$/m);
      s.clock.advance(61 * SECOND);
      s.emulator.emulator.resolve(checkoutRequestId, "pay");
      await s.emulator.emulator.sessions.waitFor(
        (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
      );
      expect(await other.payments.reconciler.runOnce()).toMatchObject({ payments: 1, settled: 1 });
      expect(await s.row(transactionId)).toMatchObject({ status: "completed", lease_owner: null });
    } finally {
      await other.close();
    }
  });
});

describe("stored callbacks", () => {
  it("finishes a callback stored by a process that died before deciding it, and one it died holding", async () => {
    for (const claimedForMs of [null, 20_000]) {
      const c = await s.customer();
      const phone = interactivePhone();
      // Paid at Daraja, callback never sent: only the row the dead process stored knows the receipt.
      s.emulator.emulator.setOutcome(phone, "paid_no_callback");
      const res = await s.stkPush(c.token, {
        phoneNumber: phone,
        bookingId: c.bookingId,
        type: "booking_fee",
      });
      const { transactionId, checkoutRequestId } = res.json().data as {
        transactionId: string;
        checkoutRequestId: string;
      };
      const paid = await s.emulator.emulator.sessions.waitFor(
        (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
      );
      const receipt = paid.receipt?.mpesaReceiptNumber ?? "";
      const now = s.clock.now();
      await s.t.db.db.kysely
        .insertInto("mpesa_callbacks")
        .values({
          id: newId("cbk"),
          transaction_id: transactionId,
          checkout_request_id: checkoutRequestId,
          merchant_request_id: paid.merchantRequestId,
          result_code: "0",
          source_ip: "127.0.0.1",
          signature_valid: 1,
          raw_body: callbackBody({
            checkoutRequestId,
            merchantRequestId: paid.merchantRequestId,
            phone,
            receipt,
          }),
          verdict: "received",
          reason: null,
          received_at: now.toISOString(),
          processed_at: null,
          lease_until: claimedForMs === null ? null : new Date(now.getTime() + claimedForMs).toISOString(),
        })
        .execute();
      const reconciler = s.t.services.payments.reconciler;
      s.clock.advance(6 * SECOND); // past the callback retry delay, before the first status query
      if (claimedForMs !== null) {
        expect(await reconciler.runOnce()).toMatchObject({ payments: 0, callbacks: 0 });
        s.clock.advance(claimedForMs);
      }
      expect(await reconciler.runOnce()).toMatchObject({ payments: 0, callbacks: 1 });
      const tx = await s.waitForStatus(c.token, transactionId, ["completed"]);
      expect(tx.mpesaReceiptNumber).toBe(receipt);
      const verdicts = await s.t.db.db.kysely
        .selectFrom("mpesa_callbacks")
        .select("verdict")
        .where("transaction_id", "=", transactionId)
        .execute();
      expect(verdicts).toEqual([{ verdict: "accepted" }]);
    }
  });
});
