/**
 * Holes found by review (issue 7), each closed by a test that failed before its fix: limits that
 * must hold against a hostile caller, and must not stand in an honest one's way. The real HTTP
 * server, the real Daraja client and the emulator, on both engines; the ledger is checked after
 * every test.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.ts";
import type { Actor } from "../../src/users/user.ts";
import { expectError } from "../support/app.ts";
import {
  accepted,
  checkoutIdFor,
  createPaymentsHarness,
  merchantIdFor,
  type PaymentsHarness,
  type PaymentsStack,
  pushBody,
  SUCCESS_PHONE,
  withPaymentsStack,
} from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack(
  (stack) => {
    s = stack;
  },
  {
    rateLimits: { stkPush: { max: 2, timeWindowMs: 60_000 } },
    paymentTimings: { invalidCallbacksPerAddressPerMinute: 3, invalidCallbackBodyChars: 100 },
  },
);

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

describe("one account cannot keep another person's phone flooded or locked", () => {
  let h: PaymentsHarness;
  afterEach(async () => {
    await h?.close();
  });

  /** A new account with a booking; `push` asks for a prompt to `phone` (Daraja refuses it, so the fee stays free). */
  async function account() {
    const user = await h.customer();
    const { bookingId } = await h.booking(user);
    return {
      push: (phone: string) =>
        h.payments.initiateStkPush({ userId: user.id, bookingId, phoneNumber: phone }).then(
          () => "sent",
          (error: unknown) => (error instanceof AppError ? error.code : String(error)),
        ),
    };
  }

  it("an account may prompt at most 5 different phones a day", async () => {
    h = await createPaymentsHarness();
    h.daraja.refusePushWith("rejected", { errorMessage: "no" });
    const a = await account();
    const phones = ["254711000001", "254711000002", "254711000003", "254711000004", "254711000005"];
    for (const phone of phones) expect(await a.push(phone)).toBe("MPESA_REJECTED");
    h.clock.advance(60 * 60_000);
    expect(await a.push("254711000006")).toBe("RATE_LIMITED");
    expect(await a.push("254711000003")).toBe("MPESA_REJECTED"); // one of its own: still fine
    h.clock.advance(24 * 60 * 60_000);
    expect(await a.push("254711000006")).toBe("MPESA_REJECTED");
  });

  it("strangers' prompts to a phone are limited per account per minute and all together per day; its owner is not held back", async () => {
    h = await createPaymentsHarness();
    const victim = "254722000001";
    // The phone's owner has paid from it before.
    const owner = await h.customer();
    const ownerBooking = await h.booking(owner);
    await h.payments.initiateStkPush({
      userId: owner.id,
      bookingId: ownerBooking.bookingId,
      phoneNumber: victim,
    });
    h.daraja.answerQuery(checkoutIdFor(1), "0", "The service request is processed successfully.");
    h.clock.advance(11_000);
    const [paid] = await h.db.db.kysely.selectFrom("payment_transactions").selectAll().execute();
    expect((await h.payments.getStatus(owner, paid?.id ?? "")).status).toBe("completed");

    h.daraja.refusePushWith("rejected", { errorMessage: "no" });
    const mallory = await account();
    for (let i = 0; i < 5; i++) expect(await mallory.push(victim)).toBe("MPESA_REJECTED");
    expect(await mallory.push(victim)).toBe("RATE_LIMITED");
    // Mallory's minute is used up, not the phone's: its owner can still be prompted at once.
    const someone = await account();
    expect(await ownerAgainAsOwner(owner, victim)).toBe("MPESA_REJECTED");
    // Across accounts, strangers get 10 prompts to this phone a day (Mallory used 5).
    const others = await Promise.all([1, 2, 3, 4, 5, 6].map(() => account()));
    const answers: string[] = [];
    for (const other of others) answers.push(await other.push(victim));
    expect(answers).toEqual([
      "MPESA_REJECTED",
      "MPESA_REJECTED",
      "MPESA_REJECTED",
      "MPESA_REJECTED",
      "MPESA_REJECTED",
      "RATE_LIMITED",
    ]);
    expect(await someone.push("254722000002")).toBe("MPESA_REJECTED"); // other phones are unaffected
    expect(await ownerAgainAsOwner(owner, victim)).toBe("MPESA_REJECTED");
  });

  /** The owner asks again for a new booking of theirs. */
  async function ownerAgainAsOwner(owner: Actor, phone: string): Promise<string> {
    const { bookingId } = await h.booking(owner);
    return h.payments.initiateStkPush({ userId: owner.id, bookingId, phoneNumber: phone }).then(
      () => "sent",
      (error: unknown) => (error instanceof AppError ? error.code : String(error)),
    );
  }
});

describe("an Idempotency-Key whose request is still talking to Daraja", () => {
  let h: PaymentsHarness;
  afterEach(async () => {
    await h?.close();
  });

  it("is not taken over, however old it looks: a repeat waits, and later repeats get the first answer", async () => {
    h = await createPaymentsHarness({ timings: { idempotencyWaitMs: 100 } });
    const user = await h.customer();
    const { bookingId } = await h.booking(user);
    let answerPush!: () => void;
    const pushAnswered = new Promise<void>((resolve) => {
      answerPush = resolve;
    });
    h.daraja.onPush = async (_input, n) => {
      await pushAnswered; // Daraja is slow to answer
      return accepted(n);
    };
    const request = { userId: user.id, bookingId, phoneNumber: SUCCESS_PHONE, idempotencyKey: "slow-1" };
    const first = h.payments.initiateStkPush(request);
    while (h.daraja.pushes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Long after the key would have looked abandoned, the same request comes again.
    h.clock.advance(10 * 60_000);
    const repeat = await h.payments.initiateStkPush(request).catch((error: unknown) => error);
    expect(repeat).toBeInstanceOf(AppError);
    expect((repeat as AppError).code).toBe("PAYMENT_IN_PROGRESS");
    answerPush();
    const answer = await first;
    expect(answer).toMatchObject({ success: true, data: { checkoutRequestId: checkoutIdFor(1) } });
    await expect(h.payments.initiateStkPush(request)).resolves.toEqual(answer);
    expect(h.daraja.pushes).toHaveLength(1);
  });

  it("a claim that looks abandoned before any push is taken over, and its old request can no longer push", async () => {
    h = await createPaymentsHarness({ timings: { idempotencyWaitMs: 100 } });
    const user = await h.customer();
    const { bookingId } = await h.booking(user);
    // An earlier attempt is open; the first request hangs asking Daraja about it.
    const open = await h.payments.initiateStkPush({ userId: user.id, bookingId, phoneNumber: SUCCESS_PHONE });
    let answerQuery!: () => void;
    const queryAnswered = new Promise<void>((resolve) => {
      answerQuery = resolve;
    });
    let queries = 0;
    h.daraja.onQuery = async (checkoutRequestId) => {
      queries += 1;
      if (queries === 1) await queryAnswered;
      return {
        kind: "final",
        merchantRequestId: merchantIdFor(checkoutRequestId),
        checkoutRequestId,
        resultCode: "1032",
        resultDesc: "Request cancelled by user",
      };
    };
    const request = { userId: user.id, bookingId, phoneNumber: SUCCESS_PHONE, idempotencyKey: "slow-2" };
    const first = h.payments.initiateStkPush(request).catch((error: unknown) => error);
    while (queries === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    h.clock.advance(10 * 60_000);
    // The repeat takes the key over (no push was in flight); its push is refused, freeing the fee.
    h.daraja.refusePushWith("rejected", { errorMessage: "no" });
    const second = await h.payments.initiateStkPush(request).catch((error: unknown) => error);
    expect((second as AppError).code).toBe("MPESA_REJECTED");
    answerQuery();
    // The old request wakes up to a free fee, but its claim was taken over: it must not push.
    const late = await first;
    expect(late).toBeInstanceOf(AppError);
    expect((late as AppError).code).toBe("PAYMENT_IN_PROGRESS");
    expect(h.daraja.pushes).toHaveLength(2); // the open attempt's, and the repeat's
    const replay = await h.payments.initiateStkPush(request).catch((error: unknown) => error);
    expect((replay as AppError).code).toBe("MPESA_REJECTED");
    expect(open.data.checkoutRequestId).toBe(checkoutIdFor(1));
  });
});
