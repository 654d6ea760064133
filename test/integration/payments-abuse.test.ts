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
  s = await startPaymentsStack({ rateLimits: { stkPush: { max: 2, timeWindowMs: 60_000 } } });
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
