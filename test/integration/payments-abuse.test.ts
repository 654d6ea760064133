/**
 * Holes found by review (issue 7), each closed by a test that failed before its fix: limits that
 * must hold against a hostile caller, and must not stand in an honest one's way. The real HTTP
 * server, the real Daraja client and the emulator, on both engines; the ledger is checked after
 * every test.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertLedgerBalanced } from "../../src/ledger/ledger.ts";
import { expectError } from "../support/app.ts";
import { type PaymentsStack, pushBody, startPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
beforeAll(async () => {
  s = await startPaymentsStack({
    rateLimits: { stkPush: { max: 2, timeWindowMs: 60_000 } },
    paymentTimings: { invalidCallbacksPerAddressPerMinute: 3, invalidCallbackBodyChars: 100 },
  });
});
beforeEach(() => {
  s.clock.advance(61_000);
});
afterEach(async () => {
  await s.t.services.payments.callbacks.whenIdle();
  await assertLedgerBalanced(s.t.db.db.kysely);
});
afterAll(async () => {
  await s.close();
});

describe("the per-user STK Push limit and Idempotency-Key replays", () => {
  it("a replay of an answered request gets the stored answer, and never counts against the limit", async () => {
    const c = await s.customer();
    const key = { "idempotency-key": `replay-${c.bookingId}` };
    const first = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"), key);
    expect(first.statusCode).toBe(201);
    for (let i = 0; i < 4; i++) {
      const again = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"), key);
      expect({ replay: i, status: again.statusCode }).toEqual({ replay: i, status: 201 });
      expect(again.json()).toEqual(first.json());
    }
    // A stored refusal is replayed the same way.
    const refusal = { "idempotency-key": `refused-${c.bookingId}` };
    expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "254708374149", { amount: 1 }), refusal),
      400,
      "AMOUNT_MISMATCH",
    );
    for (let i = 0; i < 3; i++)
      expectError(
        await s.stkPush(c.token, pushBody(c.bookingId, "254708374149", { amount: 1 }), refusal),
        400,
        "AMOUNT_MISMATCH",
      );
    // Two requests were answered: a third new one is over the limit.
    expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"), {
        "idempotency-key": `new-${c.bookingId}`,
      }),
      429,
      "RATE_LIMITED",
    );
  });
});

describe("unsigned or invalid callbacks", () => {
  const stored = (like: string) =>
    s.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .selectAll()
      .where("raw_body", "like", `${like}%`)
      .execute();
  const dropped = async () => {
    const metric = await s.t.services.metrics.registry.metrics();
    return Number(/mpesa_callbacks_dropped_total\{reason="rate_limited"\} (\d+)/.exec(metric)?.[1] ?? 0);
  };

  it("are limited per source address, and what is kept of their bodies is capped", async () => {
    const mark = `{"flood-${Date.now()}":"`;
    const body = `${mark}${"x".repeat(20_000)}"}`;
    const before = await dropped();
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await s.postCallback(null, body)).status);
    expect(answers).toEqual([403, 403, 403, 429, 429]);
    const rows = await stored(mark);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.verdict).toBe("rejected");
      expect(row.raw_body).toHaveLength(100);
      expect(row.body_bytes).toBe(body.length);
    }
    expect((await dropped()) - before).toBe(2);

    // A signed callback from the same address is never held back by this limit.
    const c = await s.customer();
    const res = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"));
    await s.waitForStatus(c.token, res.json().data.transactionId, ["completed"]);
    const signed = await s.postCallback(res.json().data.transactionId, "{not json");
    expect(signed.status).toBe(400);

    // The window passes: the address may be heard again.
    s.clock.advance(61_000);
    expect((await s.postCallback(null, body)).status).toBe(403);
  });
});
