/**
 * Two Malipo instances on one database (each with its own connection pool, as two processes behind a
 * load balancer): a payment changed by one reaches a live status stream (SSE) held open on the other.
 * On PostgreSQL the change travels by LISTEN/NOTIFY, so the streams' periodic re-read is set to ten
 * minutes and the change must still arrive within seconds. SQLite has no notifications between
 * processes: there the stream's re-read carries the change, and the test proves that path instead.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { testEngine } from "../support/db.ts";
import { emulatorDarajaClient, type PaymentsStack, startPaymentsStack } from "../support/payments.ts";

const postgres = testEngine() === "postgres";
const REFRESH_MS = postgres ? 10 * 60_000 : 200;
const shared = {
  JWT_SECRET: "jwt-secret-shared-by-both-instances-0123",
  CALLBACK_SECRET: "callback-secret-shared-by-both-instances",
  MPESA_VERIFY_CALLBACKS: "true",
};

let a: PaymentsStack;
let b: TestApp;
beforeAll(async () => {
  // Instance A never asks Daraja from its status route, so whatever settles a payment there is B.
  a = await startPaymentsStack({
    env: shared,
    liveRefreshMs: REFRESH_MS,
    paymentTimings: { statusQueryAfterMs: 3_600_000 },
  });
  b = await startTestApp({
    shareDatabaseOf: a.t.db,
    daraja: emulatorDarajaClient(a.emulator.baseUrl, a.clock),
    clock: a.clock,
    config: shared,
    liveRefreshMs: REFRESH_MS,
  });
  await a.t.services.payments.start();
  await b.services.payments.start();
});
afterEach(async () => {
  await a.t.services.payments.callbacks.whenIdle();
  await b.services.payments.callbacks.whenIdle();
  await assertBooksBalanced(a.t.db.db.kysely);
});
afterAll(async () => {
  await b?.services.payments.stop();
  await b?.close();
  await a?.close();
});

/** Opens the SSE stream on `baseUrl` and collects `status` events until a final one (or the timeout). */
async function watch(baseUrl: string, token: string, transactionId: string) {
  const res = await fetch(
    `${baseUrl}/api/v1/payments/mpesa/status/${transactionId}/events?access_token=${token}`,
    { signal: AbortSignal.timeout(8_000) },
  );
  expect(res.status).toBe(200);
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  const statuses: string[] = [];
  let buffer = "";
  let firstSeen!: () => void;
  const first = new Promise<void>((resolve) => {
    firstSeen = resolve;
  });
  const done = (async () => {
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return statuses;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith("event: status")) {
          statuses.push(JSON.parse(block.split("\ndata: ")[1] ?? "{}").transaction.status);
          firstSeen();
        }
        end = buffer.indexOf("\n\n");
      }
    }
  })();
  await first;
  return { statuses, done };
}

let phoneSequence = 0;
const interactivePhone = () => {
  phoneSequence += 1;
  return `25478${String(process.pid % 10_000).padStart(4, "0")}${String(phoneSequence).padStart(3, "0")}`;
};

describe(`live status across two instances (${testEngine()})`, () => {
  it("a callback applied by one instance reaches a stream held on the other", async () => {
    const c = await a.customer();
    const phone = interactivePhone();
    const res = await a.stkPush(c.token, { phoneNumber: phone, bookingId: c.bookingId, type: "booking_fee" });
    expect(res.statusCode).toBe(201);
    const { transactionId, checkoutRequestId } = res.json().data;
    const stream = await watch(b.url, c.token, transactionId);
    expect(stream.statuses).toEqual(["pending"]);
    const started = Date.now();
    // The customer pays; Daraja calls back instance A (the signed URL names it), which applies it.
    a.emulator.emulator.resolve(checkoutRequestId, "pay");
    expect(await stream.done).toEqual(["pending", "completed"]);
    expect(Date.now() - started).toBeLessThan(5_000);
    // A callback decided after it was stored writes its verdict just after the payment it applied.
    await a.t.services.payments.callbacks.whenIdle();
    const callbacks = await a.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .select("verdict")
      .where("transaction_id", "=", transactionId)
      .execute();
    expect(callbacks).toEqual([{ verdict: "accepted" }]);
  });

  it("a payment settled by the other instance's reconciler reaches a stream held on this one", async () => {
    const c = await a.customer();
    const phone = interactivePhone();
    a.emulator.emulator.setOutcome(phone, "paid_no_callback");
    const res = await a.stkPush(c.token, { phoneNumber: phone, bookingId: c.bookingId, type: "booking_fee" });
    const { transactionId, checkoutRequestId } = res.json().data;
    await a.emulator.emulator.sessions.waitFor(
      (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
    );
    const stream = await watch(a.t.url, c.token, transactionId);
    a.clock.advance(31_000);
    expect(await b.services.payments.reconciler.runOnce()).toMatchObject({ payments: 1, settled: 1 });
    expect(await stream.done).toEqual(["pending", "completed"]);
  });
});
