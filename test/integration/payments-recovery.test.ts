/**
 * When things go wrong between Daraja and Malipo: lost, duplicated, late and forged callbacks, a
 * lost push response, a crash between recording a callback and applying it, a late success after a
 * recorded failure. Real server, real Daraja client, the emulator; the reconciler is run by hand
 * with the app's clock moved forward. The ledger is checked balanced after every test.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StkSession } from "../../src/emulator/index.ts";
import { LIVE_STREAMS_PER_USER } from "../../src/http/routes/payment-events-stream.ts";
import { newId } from "../../src/ids.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { PUSH_UNCONFIRMED_REASON } from "../../src/payments/state-machine.ts";
import { bearer, createAdmin, expectError } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { callbackBody, type PaymentsStack, startPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
beforeAll(async () => {
  s = await startPaymentsStack();
});
afterEach(async () => {
  await s.t.services.payments.callbacks.whenIdle();
  await assertBooksBalanced(s.t.db.db.kysely);
});
afterAll(async () => {
  await s.close();
});
beforeEach(() => {
  s.clock.advance(61_000);
  s.emulator.emulator.setFaults({});
});

let phoneSequence = 0;
/** A number the emulator leaves to "a person": the prompt waits until the control API answers it. */
function interactivePhone(): string {
  phoneSequence += 1;
  return `2547${String(Date.now() % 1_000_000).padStart(6, "0")}${String(phoneSequence).padStart(2, "0")}`.slice(
    0,
    12,
  );
}

async function push(c: { token: string; bookingId: string }, phoneNumber: string) {
  const res = await s.stkPush(c.token, { phoneNumber, bookingId: c.bookingId, type: "booking_fee" });
  expect(res.statusCode).toBe(201);
  return res.json().data as { transactionId: string; checkoutRequestId: string | null };
}

async function callbackVerdicts(transactionId: string) {
  const rows = await s.t.db.db.kysely
    .selectFrom("mpesa_callbacks")
    .select(["verdict", "reason"])
    .where("transaction_id", "=", transactionId)
    .execute();
  return rows.map((r) => r.verdict).sort();
}

const waitForSession = (predicate: (x: StkSession) => boolean) =>
  s.emulator.emulator.sessions.waitFor(predicate, 5_000);

describe("lost and repeated callbacks", () => {
  it("254700009001: the callback never comes; the reconciler's STK Query completes the payment", async () => {
    const c = await s.customer();
    const { transactionId, checkoutRequestId } = await push(c, "254700009001");
    await waitForSession((x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed");
    // Not due yet: nothing is asked.
    expect(await s.t.services.payments.reconciler.runOnce()).toMatchObject({ payments: 0 });
    s.clock.advance(31_000);
    expect(await s.t.services.payments.reconciler.runOnce()).toMatchObject({ payments: 1, settled: 1 });
    const tx = await s.waitForStatus(c.token, transactionId, ["completed"]);
    expect(tx.mpesaReceiptNumber).toBeNull(); // STK Query does not carry it
    expect(await s.row(transactionId)).toMatchObject({
      paid_amount: 500,
      open_fee_key: null,
      next_check_at: null,
    });
  });

  it("254700009002: the callback arrives twice and is credited once", async () => {
    const c = await s.customer();
    const before = await accountBalances(s.t.db.db.kysely);
    const { transactionId, checkoutRequestId } = await push(c, "254700009002");
    await s.waitForStatus(c.token, transactionId, ["completed"]);
    await s.emulator.emulator.deliveries.waitFor(
      (d) => d.checkoutRequestId === checkoutRequestId && d.copy === "duplicate" && d.status === "answered",
    );
    const deliveries = s.emulator.emulator.deliveries.list({ checkoutRequestId: checkoutRequestId ?? "" });
    expect(deliveries.map((d) => d.responseStatus)).toEqual([200, 200]);
    await s.t.services.payments.callbacks.whenIdle();
    expect(await callbackVerdicts(transactionId)).toEqual(["accepted", "duplicate"]);
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.booking_fee_escrow - before.booking_fee_escrow).toBe(-500);
  });

  it("the same callback delivered five times at once is credited once", async () => {
    const c = await s.customer();
    const phone = interactivePhone();
    s.emulator.emulator.setOutcome(phone, "paid_no_callback");
    const before = await accountBalances(s.t.db.db.kysely);
    const { transactionId, checkoutRequestId } = await push(c, phone);
    const paid = await waitForSession(
      (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
    );
    const body = callbackBody({
      checkoutRequestId: paid.checkoutRequestId,
      merchantRequestId: paid.merchantRequestId,
      phone,
      receipt: paid.receipt?.mpesaReceiptNumber ?? "UAX0000003",
    });
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => s.postCallback(transactionId, body)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await s.t.services.payments.callbacks.whenIdle();
    expect(await callbackVerdicts(transactionId)).toEqual([
      "accepted",
      "duplicate",
      "duplicate",
      "duplicate",
      "duplicate",
    ]);
    expect(await s.row(transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: paid.receipt?.mpesaReceiptNumber,
    });
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.booking_fee_escrow - before.booking_fee_escrow).toBe(-500);
    const events = await s.t.db.db.kysely
      .selectFrom("payment_events")
      .select("to_status")
      .where("transaction_id", "=", transactionId)
      .where("from_status", "=", "pending")
      .where("to_status", "=", "completed")
      .execute();
    expect(events).toHaveLength(1);
  });

  it("254700009003: a success whose callback is late is found by the status query, then the callback adds the receipt", async () => {
    const c = await s.customer();
    const { transactionId, checkoutRequestId } = await push(c, "254700009003");
    await waitForSession((x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed");
    s.clock.advance(11_000);
    const tx = await s.waitForStatus(c.token, transactionId, ["completed"]);
    expect(tx.resultCode).toBe("0");
    const delivery = await s.emulator.emulator.deliveries.waitFor(
      (d) => d.checkoutRequestId === checkoutRequestId && d.status === "answered",
    );
    expect(delivery.responseStatus).toBe(200);
    await s.t.services.payments.callbacks.whenIdle();
    const session = s.emulator.emulator.sessions.get(checkoutRequestId ?? "");
    expect((await s.row(transactionId)).mpesa_receipt_number).toBe(session?.receipt?.mpesaReceiptNumber);
  });

  it("254700009006: the push response is lost; the signed callback recovers it, confirmed by STK Query", async () => {
    const c = await s.customer();
    const res = await s.stkPush(c.token, {
      phoneNumber: "254700009006",
      bookingId: c.bookingId,
      type: "booking_fee",
    });
    expect(res.statusCode).toBe(201);
    const { data, message } = res.json();
    expect(data.checkoutRequestId).toBeNull();
    expect(message).toMatch(/confirming/i);
    const tx = await s.waitForStatus(c.token, data.transactionId, ["completed"]);
    const session = s.emulator.emulator.sessions.list({ phoneNumber: "254700009006" })[0];
    expect(await s.row(tx.id)).toMatchObject({
      checkout_request_id: session?.checkoutRequestId,
      status: "completed",
    });
    const queries = s.emulator.emulator.requests
      .list({ path: "/mpesa/stkpushquery/v1/query" })
      .filter((r) => JSON.stringify(r).includes(session?.checkoutRequestId ?? "?"));
    expect(queries.length).toBeGreaterThanOrEqual(1);
    // Exactly one push was sent for it: an unknown outcome is never pushed again.
    expect(s.emulator.emulator.sessions.list({ phoneNumber: "254700009006" })).toHaveLength(1);
  });
});

describe("a push answered 5xx in Daraja's envelope", () => {
  it("500.003.1001 is an unknown outcome, not a refusal: 201 'confirming', never pushed again", async () => {
    const c = await s.customer();
    s.emulator.emulator.setFaults({ rates: { pushError: 1 } });
    const res = await s.stkPush(c.token, {
      phoneNumber: "254700009001",
      bookingId: c.bookingId,
      type: "booking_fee",
    });
    s.emulator.emulator.setFaults({});
    expect(res.statusCode).toBe(201);
    const { data, message } = res.json();
    expect(data.checkoutRequestId).toBeNull();
    expect(message).toMatch(/confirming/i);
    expect(await s.row(data.transactionId)).toMatchObject({ status: "pending", checkout_request_id: null });
    // Asking again while it is unresolved does not send a second push.
    expect(
      (await s.stkPush(c.token, { phoneNumber: "254700009001", bookingId: c.bookingId, type: "booking_fee" }))
        .statusCode,
    ).toBe(409);
    const pushes = s.emulator.emulator.requests.list({ path: "/mpesa/stkpush/v1/processrequest" });
    expect(pushes.filter((r) => JSON.stringify(r).includes(data.transactionId))).toHaveLength(1);
    // No callback comes (nothing was created): after the window the attempt fails and the fee is free.
    s.clock.advance(4 * 60_000);
    await s.t.services.payments.reconciler.runOnce();
    expect((await s.row(data.transactionId)).status).toBe("failed");
    expect((await s.fee(c.bookingId)).status).toBe("pending");
  });
});

describe("forged callbacks", () => {
  it("are refused and stored: no signature, a wrong signature, wrong ids, a replayed receipt", async () => {
    const payer = await s.customer();
    const paid = await push(payer, "254708374149");
    await s.waitForStatus(payer.token, paid.transactionId, ["completed"]);
    const paidReceipt = (await s.row(paid.transactionId)).mpesa_receipt_number ?? "";

    const c = await s.customer();
    const phone = interactivePhone();
    const { transactionId, checkoutRequestId } = await push(c, phone);
    const id = checkoutRequestId ?? "";
    const merchant = (await s.row(transactionId)).merchant_request_id ?? "";
    const good = (extra = {}) =>
      callbackBody({ checkoutRequestId: id, merchantRequestId: merchant, phone, ...extra });

    const attempts: Array<[string, Response]> = [
      ["no signature", await s.postCallback(transactionId, good(), null)],
      ["wrong signature", await s.postCallback(transactionId, good(), "bm90LXRoZS1zaWduYXR1cmU")],
      ["signature of another transaction", await s.postCallback(paid.transactionId, good())],
      ["no transaction", await s.postCallback(null, good())],
      [
        "wrong CheckoutRequestID",
        await s.postCallback(transactionId, good({ checkoutRequestId: "ws_CO_forged" })),
      ],
      [
        "wrong MerchantRequestID",
        await s.postCallback(transactionId, good({ merchantRequestId: "forged-1" })),
      ],
      ["replayed receipt", await s.postCallback(transactionId, good({ receipt: paidReceipt }))],
    ];
    for (const [name, res] of attempts) {
      expect({ name, status: res.status }).toEqual({ name, status: 403 });
      expect(await res.json()).toMatchObject({ success: false, error: { code: "CALLBACK_REJECTED" } });
    }
    expect((await s.row(transactionId)).status).toBe("pending");
    const stored = await s.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .select(["verdict", "reason", "raw_body"])
      .where("raw_body", "like", `%${id}%`)
      .execute();
    expect(stored.length).toBeGreaterThanOrEqual(5);
    expect(stored.every((r) => r.verdict === "rejected" && (r.reason ?? "").length > 0)).toBe(true);
    // The real customer then pays; exactly one credit.
    s.emulator.emulator.resolve(id, "pay");
    await s.waitForStatus(c.token, transactionId, ["completed"]);
  });

  it("a forged success that passes every check is not credited: M-Pesa's own answer decides", async () => {
    const c = await s.customer();
    const phone = interactivePhone();
    const { transactionId, checkoutRequestId } = await push(c, phone);
    const merchant = (await s.row(transactionId)).merchant_request_id ?? "";
    // Someone who learnt the signed URL and the ids posts a perfect "paid" callback.
    const forged = await s.postCallback(
      transactionId,
      callbackBody({ checkoutRequestId: checkoutRequestId ?? "", merchantRequestId: merchant, phone }),
    );
    expect(forged.status).toBe(200);
    await s.t.services.payments.callbacks.whenIdle();
    // STK Query says the prompt is still open: nothing is credited; the callback waits.
    expect((await s.row(transactionId)).status).toBe("pending");
    expect(await callbackVerdicts(transactionId)).toEqual(["received"]);
    // The customer never answers (1037); later the waiting callback is checked again and refused.
    await s.waitForStatus(c.token, transactionId, ["failed"]);
    s.clock.advance(31_000);
    await s.t.services.payments.reconciler.runOnce();
    expect(await callbackVerdicts(transactionId)).toEqual(["accepted", "rejected"]);
    expect(await s.row(transactionId)).toMatchObject({
      status: "failed",
      result_code: "1037",
      paid_amount: null,
    });
  });

  it("malformed or non-JSON bodies are stored and answered 400, never 500", async () => {
    const c = await s.customer();
    const { transactionId, checkoutRequestId } = await push(c, interactivePhone());
    const merchant = (await s.row(transactionId)).merchant_request_id ?? "";
    const real = JSON.parse(
      callbackBody({ checkoutRequestId: checkoutRequestId ?? "", merchantRequestId: merchant }),
    );
    const withNul = (field: "MerchantRequestID" | "CheckoutRequestID" | "ResultDesc") =>
      JSON.stringify({ Body: { stkCallback: { ...real.Body.stkCallback, [field]: `x\u0000y` } } });
    const bodies = [
      "{not json",
      "",
      "[]",
      '{"Body":{"stkCallback":{"ResultCode":0}}}',
      "x".repeat(10_000),
      "\u0000",
      `{"Body":\u0000}`,
      withNul("MerchantRequestID"),
      withNul("CheckoutRequestID"),
      withNul("ResultDesc"),
    ];
    for (const body of bodies) {
      const res = await s.postCallback(transactionId, body);
      expect({ body: body.slice(0, 60), status: res.status }).toEqual({
        body: body.slice(0, 60),
        status: 400,
      });
      expect(await res.json()).toMatchObject({ success: false, error: { code: "VALIDATION_ERROR" } });
    }
    // Unsigned, with NUL in the ids it would be filed under: refused, stored, never a 500.
    const unsigned = await s.postCallback(null, withNul("CheckoutRequestID"));
    expect(unsigned.status).toBe(403);
    const text = await fetch(`${s.t.url}/api/v1/payments/mpesa/callback?tx=${transactionId}`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(text.status).toBe(403);
    const rows = await s.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .select(["raw_body", "verdict"])
      .where("transaction_id", "=", transactionId)
      .execute();
    expect(rows.map((r) => r.raw_body)).toContain("{not json");
    expect(rows.map((r) => r.raw_body)).toContain("\\u0000"); // a raw NUL, kept visible
    expect(rows).toHaveLength(bodies.length + 1);
    expect(rows.every((r) => r.verdict === "rejected")).toBe(true);
    s.emulator.emulator.resolve(checkoutRequestId ?? "", "cancel");
    await s.waitForStatus(c.token, transactionId, ["failed"]);
  });

  it("a callback with a wrong amount or phone is refused; Daraja's own answer settles the pushed amount", async () => {
    const c = await s.customer();
    const before = await accountBalances(s.t.db.db.kysely);
    const { transactionId, checkoutRequestId } = await push(c, "254700009001"); // paid, no callback
    await waitForSession((x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed");
    const row = await s.row(transactionId);
    const ids = {
      checkoutRequestId: checkoutRequestId ?? "",
      merchantRequestId: row.merchant_request_id ?? "",
    };
    const wrongAmount = await s.postCallback(
      transactionId,
      callbackBody({ ...ids, phone: "254700009001", amount: 1 }),
    );
    expect(wrongAmount.status).toBe(403);
    expect(await wrongAmount.json()).toMatchObject({ success: false, error: { code: "CALLBACK_REJECTED" } });
    const wrongPhone = await s.postCallback(
      transactionId,
      callbackBody({ ...ids, phone: "254712345678", amount: 500 }),
    );
    expect(wrongPhone.status).toBe(403);
    await s.t.services.payments.callbacks.whenIdle();
    expect(await callbackVerdicts(transactionId)).toEqual(["rejected", "rejected"]);
    expect((await s.row(transactionId)).status).toBe("pending");

    s.clock.advance(31_000);
    await s.t.services.payments.reconciler.runOnce();
    await s.waitForStatus(c.token, transactionId, ["completed"]);
    expect(await s.row(transactionId)).toMatchObject({ paid_amount: 500 });
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.booking_fee_escrow - before.booking_fee_escrow).toBe(-500);
    expect(after.suspense - before.suspense).toBe(0);
  });
});

describe("crashes and late money", () => {
  it("a callback recorded but never applied (crash) is finished by the reconciler", async () => {
    const c = await s.customer();
    const { transactionId, checkoutRequestId } = await push(c, "254700009001");
    const session = await waitForSession(
      (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
    );
    const body = callbackBody({
      checkoutRequestId: session.checkoutRequestId,
      merchantRequestId: session.merchantRequestId,
      phone: "254700009001",
      receipt: session.receipt?.mpesaReceiptNumber ?? "UAX0000001",
    });
    // As if the process stopped right after storing the callback.
    await s.t.db.db.kysely
      .insertInto("mpesa_callbacks")
      .values({
        id: newId("cbk"),
        transaction_id: transactionId,
        checkout_request_id: session.checkoutRequestId,
        merchant_request_id: session.merchantRequestId,
        result_code: "0",
        source_ip: "127.0.0.1",
        signature_valid: 1,
        raw_body: body,
        verdict: "received",
        reason: null,
        received_at: s.clock.now().toISOString(),
        processed_at: null,
        lease_until: null,
      })
      .execute();
    s.clock.advance(6_000); // older than the callback retry delay, before the first status check
    const summary = await s.t.services.payments.reconciler.runOnce();
    expect(summary).toMatchObject({ payments: 0, callbacks: 1 });
    const tx = await s.waitForStatus(c.token, transactionId, ["completed"]);
    expect(tx.mpesaReceiptNumber).toBe(session.receipt?.mpesaReceiptNumber);
    expect(await callbackVerdicts(transactionId)).toEqual(["accepted"]);
  });

  it("a success after a recorded failure completes the payment; one for a re-paid fee is owed back", async () => {
    const c = await s.customer();
    const phone = interactivePhone();
    // The push response is dropped and no callback comes within the window: the attempt fails.
    s.emulator.emulator.setFaults({ rates: { pushResponseDropped: 1 } });
    const first = await push(c, phone);
    s.emulator.emulator.setFaults({});
    expect(first.checkoutRequestId).toBeNull();
    s.clock.advance(4 * 60_000);
    await s.t.services.payments.reconciler.runOnce();
    const failed = await s.waitForStatus(c.token, first.transactionId, ["failed"]);
    expect(failed.failureReason).toBe(PUSH_UNCONFIRMED_REASON);

    // Meanwhile the customer pays the first prompt after all: a late success.
    s.emulator.emulator.answerPrompt(phone, { kind: "pin", pin: "1234" });
    await s.waitForStatus(c.token, first.transactionId, ["completed"]);
    const fee = () =>
      s.t.db.db.kysely
        .selectFrom("booking_fees")
        .selectAll()
        .where("booking_id", "=", c.bookingId)
        .executeTakeFirstOrThrow();
    expect(await fee()).toMatchObject({ status: "held", paid_transaction_id: first.transactionId });

    // Same story on another booking, but the customer re-paid with another attempt in between.
    const d = await s.customer();
    const phone2 = interactivePhone();
    // This prompt must stay open on the phone while the rest happens, however busy the machine:
    // its 60 s timeout is scheduled at full time, the rest of the test runs compressed again.
    s.emulator.emulator.setTimeScale(1);
    s.emulator.emulator.setFaults({ rates: { pushResponseDropped: 1 } });
    const lost = await push(d, phone2);
    s.emulator.emulator.setFaults({});
    s.emulator.emulator.setTimeScale(0.01);
    s.clock.advance(4 * 60_000);
    await s.t.services.payments.reconciler.runOnce();
    await s.waitForStatus(d.token, lost.transactionId, ["failed"]);
    const before = await accountBalances(s.t.db.db.kysely);
    const second = await push(d, "254708374149");
    await s.waitForStatus(d.token, second.transactionId, ["completed"]);
    s.emulator.emulator.answerPrompt(phone2, { kind: "pin", pin: "1234" });
    const review = await s.waitForStatus(d.token, lost.transactionId, ["needs_review"]);
    expect(review.failureReason).toMatch(/overpayment/);
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.booking_fee_escrow - before.booking_fee_escrow).toBe(-500);
    expect(after.customer_refunds_payable - before.customer_refunds_payable).toBe(-500);
  });
});

describe("live status", () => {
  it("one account holds at most 5 streams at once: the 6th is 429 TOO_MANY_STREAMS; a closed one frees its slot", async () => {
    const c = await s.customer();
    const other = await s.customer();
    const { transactionId, checkoutRequestId } = await push(c, interactivePhone());
    const url = `${s.t.url}/api/v1/payments/mpesa/status/${transactionId}/events`;
    const open = async (token: string) => {
      const abort = new AbortController();
      const res = await fetch(`${url}?access_token=${token}`, { signal: abort.signal });
      return { res, abort };
    };
    const held = [];
    for (let i = 0; i < LIVE_STREAMS_PER_USER; i += 1) {
      const stream = await open(c.token);
      expect(stream.res.status).toBe(200);
      held.push(stream);
    }
    const refused = await open(c.token);
    const body = await refused.res.json();
    expectError({ statusCode: refused.res.status, json: () => body }, 429, "TOO_MANY_STREAMS");
    expect(body.error.details).toEqual({ limit: LIVE_STREAMS_PER_USER });
    // The bound is per account: an admin watching the same payment is not refused.
    const admin = await createAdmin(s.t);
    const watcher = await open(admin.token);
    expect(watcher.res.status).toBe(200);
    watcher.abort.abort();
    // Another account's refusal is its own business (404: not its payment), not this account's count.
    const stranger = await open(other.token);
    expect(stranger.res.status).toBe(404);
    // Closing one gives its slot back (the server notices the closed socket shortly after).
    held.shift()?.abort.abort();
    let again = await open(c.token);
    for (let i = 0; again.res.status !== 200 && i < 50; i += 1) {
      await again.res.body?.cancel();
      await new Promise((r) => setTimeout(r, 20));
      again = await open(c.token);
    }
    expect(again.res.status).toBe(200);
    held.push(again);
    // A final payment ends every stream, and with it every slot.
    s.emulator.emulator.resolve(checkoutRequestId ?? "", "pay");
    for (const stream of held) await stream.res.text();
    await s.waitForStatus(c.token, transactionId, ["completed"]);
    const afterFinal = await open(c.token);
    expect(afterFinal.res.status).toBe(200);
    await afterFinal.res.text();
  });

  it("streams the transaction as server-sent events until it is final", async () => {
    const c = await s.customer();
    const { transactionId, checkoutRequestId } = await push(c, interactivePhone());
    const res = await fetch(
      `${s.t.url}/api/v1/payments/mpesa/status/${transactionId}/events?access_token=${c.token}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(/"status":"pending"/);
    s.emulator.emulator.resolve(checkoutRequestId ?? "", "pay");
    await readUntil(/"status":"completed"/);
    const { done } = await reader.read();
    expect(done).toBe(true);
    const events = text
      .split("\n\n")
      .filter((block) => block.startsWith("event: status"))
      .map((block) => JSON.parse(block.split("\ndata: ")[1] ?? "{}").transaction.status);
    expect(events).toEqual(["pending", "completed"]);
    // The header form works too.
    const again = await s.t.app.inject({
      method: "GET",
      url: `/api/v1/payments/mpesa/status/${transactionId}/events`,
      headers: bearer(c.token),
    });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('"status":"completed"');
  });
});
