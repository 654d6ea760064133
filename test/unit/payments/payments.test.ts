import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PaymentTransactionRow } from "../../../src/db/schema.ts";
import { AppError } from "../../../src/errors.ts";
import type { Actor } from "../../../src/users/user.ts";
import {
  accepted,
  callbackBody,
  checkoutIdFor,
  createPaymentsHarness,
  darajaError,
  type PaymentsHarness,
  SUCCESS_PHONE,
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

async function row(id: string): Promise<PaymentTransactionRow> {
  return h.db.db.kysely
    .selectFrom("payment_transactions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function fee() {
  return h.db.db.kysely
    .selectFrom("booking_fees")
    .selectAll()
    .where("booking_id", "=", bookingId)
    .executeTakeFirstOrThrow();
}

async function rejectionOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

const start = (overrides: Record<string, unknown> = {}) =>
  h.payments.initiateStkPush({ userId: customer.id, bookingId, phoneNumber: "0708374149", ...overrides });

describe("initiateStkPush", () => {
  it("writes the attempt, pushes once with a signed callback URL, and answers the api.md shape", async () => {
    const answer = await start({ amount: 500 });
    expect(answer).toEqual({
      success: true,
      message: "STK Push sent successfully. Please enter your M-Pesa PIN on your phone.",
      data: {
        transactionId: expect.stringMatching(/^pay_/),
        checkoutRequestId: checkoutIdFor(1),
        customerMessage: "Success. Request accepted for processing",
      },
    });
    expect(h.daraja.pushes).toHaveLength(1);
    const push = h.daraja.pushes[0]!;
    expect(push).toMatchObject({ phoneNumber: SUCCESS_PHONE, amount: 500 });
    expect(push.callbackUrl).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:3999/api/v1/payments/mpesa/callback\\?tx=${answer.data.transactionId}&sig=[A-Za-z0-9_-]{43}$`,
      ),
    );
    const tx = await row(answer.data.transactionId);
    expect(tx).toMatchObject({
      status: "pending",
      checkout_request_id: checkoutIdFor(1),
      open_fee_key: tx.booking_fee_id,
    });
    expect(tx.next_check_at).toBe(new Date(h.clock.now().getTime() + 30_000).toISOString());
  });

  it("commits the initiated row before calling Daraja", async () => {
    let seen: string | undefined;
    h.daraja.onPush = async (input, n) => {
      const id = new URL(input.callbackUrl).searchParams.get("tx")!;
      seen = (await row(id)).status;
      return accepted(n);
    };
    await start();
    expect(seen).toBe("initiated");
  });

  it("refuses bad input with stable codes", async () => {
    expect((await rejectionOf(start({ phoneNumber: "12345" }))).code).toBe("INVALID_PHONE");
    expect((await rejectionOf(start({ amount: 499 }))).code).toBe("AMOUNT_MISMATCH");
    const stranger = await h.customer();
    expect(
      (
        await rejectionOf(
          h.payments.initiateStkPush({ userId: stranger.id, bookingId, phoneNumber: SUCCESS_PHONE }),
        )
      ).code,
    ).toBe("BOOKING_NOT_FOUND");
    expect((await rejectionOf(start({ bookingId: "bkg_missing" }))).code).toBe("BOOKING_NOT_FOUND");
    expect(h.daraja.pushes).toHaveLength(0);
  });

  it.each([
    [
      "validation",
      { field: "PhoneNumber", errorCode: "400.002.02", errorMessage: "Bad Request - Invalid PhoneNumber" },
      "INVALID_PHONE",
    ],
    [
      "subscriber_locked",
      { errorCode: "500.001.1001", errorMessage: "Unable to lock subscriber" },
      "PAYMENT_IN_PROGRESS",
    ],
    [
      "rate_limited",
      { errorCode: "500.003.02", errorMessage: "Spike Arrest Violation" },
      "MPESA_UNAVAILABLE",
    ],
    ["server", { errorMessage: "503" }, "MPESA_UNAVAILABLE"],
    [
      "merchant_not_found",
      { errorCode: "500.001.1001", errorMessage: "Merchant does not exist" },
      "MPESA_REJECTED",
    ],
  ] as const)("a push refused as %s fails the attempt and answers %s", async (kind, details, code) => {
    h.daraja.refusePushWith(kind, details);
    expect((await rejectionOf(start())).code).toBe(code);
    const [tx] = await h.db.db.kysely.selectFrom("payment_transactions").selectAll().execute();
    expect(tx).toMatchObject({
      status: "failed",
      open_fee_key: null,
      result_code: ("errorCode" in details ? details.errorCode : undefined) ?? kind,
    });
    expect(tx!.failure_reason).toContain("M-Pesa refused the request");
    // The fee is free again: a new attempt can start.
    h.daraja.onPush = async (_i, n) => accepted(n);
    await expect(start()).resolves.toMatchObject({ success: true });
  });

  it("an unknown push outcome answers 201 'confirming' and is never pushed again", async () => {
    h.daraja.losePushResponse();
    const answer = await start();
    expect(answer.data.checkoutRequestId).toBeNull();
    expect(answer.message).toMatch(/confirming/);
    const tx = await row(answer.data.transactionId);
    expect(tx).toMatchObject({ status: "pending", checkout_request_id: null });
    // Asking again while it is unresolved does not push a second time.
    expect((await rejectionOf(start())).code).toBe("PAYMENT_IN_PROGRESS");
    expect(h.daraja.pushes).toHaveLength(1);
  });
});

describe("one open attempt per fee", () => {
  it("asks Daraja about the open attempt: still waiting → PAYMENT_IN_PROGRESS with its id", async () => {
    const first = await start();
    const error = await rejectionOf(start());
    expect(error.code).toBe("PAYMENT_IN_PROGRESS");
    expect(error.details).toEqual({ transactionId: first.data.transactionId });
    expect(h.daraja.queries).toEqual([checkoutIdFor(1)]);
    expect(h.daraja.pushes).toHaveLength(1);
  });

  it("paid → applies it and answers ALREADY_PAID", async () => {
    const first = await start();
    h.daraja.answerQuery(checkoutIdFor(1), "0", "The service request is processed successfully.");
    expect((await rejectionOf(start())).code).toBe("ALREADY_PAID");
    expect(await row(first.data.transactionId)).toMatchObject({ status: "completed", paid_amount: 500 });
    expect((await fee()).status).toBe("held");
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
  });

  it("failed → applies it and starts a new push", async () => {
    const first = await start();
    h.daraja.answerQuery(checkoutIdFor(1), "1032", "Request cancelled by user");
    const second = await start();
    expect(second.data.checkoutRequestId).toBe(checkoutIdFor(2));
    expect(await row(first.data.transactionId)).toMatchObject({ status: "failed", result_code: "1032" });
  });

  it("two concurrent requests for one fee send one push", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.daraja.onPush = async (_input, n) => {
      await gate;
      return accepted(n);
    };
    const both = Promise.allSettled([start(), start()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const results = await both;
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect((refused[0]!.reason as AppError).code).toBe("PAYMENT_IN_PROGRESS");
    expect(h.daraja.pushes).toHaveLength(1);
  });

  it("a paid fee answers ALREADY_PAID without calling Daraja", async () => {
    const first = await start();
    await h.deliver(first.data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1) }));
    expect((await rejectionOf(start())).code).toBe("ALREADY_PAID");
    expect(h.daraja.pushes).toHaveLength(1);
  });

  it("limits new attempts per phone per minute", async () => {
    h.daraja.refusePushWith("server");
    for (let i = 0; i < 5; i++) expect((await rejectionOf(start())).code).toBe("MPESA_UNAVAILABLE");
    expect((await rejectionOf(start())).code).toBe("RATE_LIMITED");
    h.clock.advance(61_000);
    expect((await rejectionOf(start())).code).toBe("MPESA_UNAVAILABLE");
  });
});

describe("Idempotency-Key", () => {
  it("same key and body → the first answer; one push", async () => {
    const a = await start({ idempotencyKey: "k-1" });
    const b = await start({ idempotencyKey: "k-1", phoneNumber: "+254708374149" });
    expect(b).toEqual(a);
    expect(h.daraja.pushes).toHaveLength(1);
  });

  it("same key, other body → IDEMPOTENCY_CONFLICT", async () => {
    await start({ idempotencyKey: "k-2" });
    expect((await rejectionOf(start({ idempotencyKey: "k-2", phoneNumber: "0711111111" }))).code).toBe(
      "IDEMPOTENCY_CONFLICT",
    );
  });

  it("a repeat arriving while the first runs waits for its answer", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.daraja.onPush = async (_input, n) => {
      await gate;
      return accepted(n);
    };
    const first = start({ idempotencyKey: "k-3" });
    const second = start({ idempotencyKey: "k-3" });
    await new Promise((resolve) => setTimeout(resolve, 80));
    release();
    expect(await second).toEqual(await first);
    expect(h.daraja.pushes).toHaveLength(1);
  });

  it("stores refusals too, but not transient ones", async () => {
    expect((await rejectionOf(start({ idempotencyKey: "k-4", amount: 1 }))).code).toBe("AMOUNT_MISMATCH");
    expect((await rejectionOf(start({ idempotencyKey: "k-4", amount: 1 }))).code).toBe("AMOUNT_MISMATCH");
    h.daraja.refusePushWith("server");
    expect((await rejectionOf(start({ idempotencyKey: "k-5" }))).code).toBe("MPESA_UNAVAILABLE");
    h.daraja.onPush = async (_i, n) => accepted(n);
    await expect(start({ idempotencyKey: "k-5" })).resolves.toMatchObject({ success: true });
  });
});

describe("status and history", () => {
  it("hides other users' transactions and masks the phone for admins", async () => {
    const { data } = await start();
    const stranger = await h.customer();
    expect((await rejectionOf(h.payments.getStatus(stranger, data.transactionId))).code).toBe(
      "TRANSACTION_NOT_FOUND",
    );
    const own = await h.payments.getStatus(customer, data.transactionId);
    expect(own).toMatchObject({
      id: data.transactionId,
      bookingId,
      status: "pending",
      amount: 500,
      currency: "KES",
    });
    expect(own.phoneNumber).toBe(SUCCESS_PHONE);
    const admin = await h.payments.getStatus({ id: "usr_admin", role: "admin" }, data.transactionId);
    expect(admin.phoneNumber).toBe("2547****4149");
  });

  it("asks Daraja about a pending attempt older than 10 s, at most once per 5 s", async () => {
    const { data } = await start();
    await h.payments.getStatus(customer, data.transactionId);
    expect(h.daraja.queries).toHaveLength(0);
    h.clock.advance(11_000);
    await h.payments.getStatus(customer, data.transactionId);
    await h.payments.getStatus(customer, data.transactionId);
    expect(h.daraja.queries).toHaveLength(1);
    h.clock.advance(5_000);
    h.daraja.answerQuery(checkoutIdFor(1), "1037", "No response from user.");
    const view = await h.payments.getStatus(customer, data.transactionId);
    expect(view).toMatchObject({ status: "failed", resultCode: "1037" });
    expect(view.failureReason).toMatch(/did not answer/);
  });

  it("pages history, own only; admins see all or one user", async () => {
    h.daraja.refusePushWith("server");
    for (let i = 0; i < 3; i++) await rejectionOf(start());
    const other = await h.customer();
    const { bookingId: otherBooking } = await h.booking(other);
    await rejectionOf(
      h.payments.initiateStkPush({ userId: other.id, bookingId: otherBooking, phoneNumber: "0711000000" }),
    );
    const page = await h.payments.listHistory(customer, { page: 1, limit: 2 });
    expect(page).toMatchObject({ success: true, count: 2, total: 3, page: 1, pages: 2 });
    expect((await h.payments.listHistory(customer, { page: 2, limit: 2, status: "failed" })).count).toBe(1);
    expect((await h.payments.listHistory(customer, { page: 1, limit: 10, status: "completed" })).total).toBe(
      0,
    );
    const admin: Actor = { id: "usr_admin", role: "admin" };
    expect((await h.payments.listHistory(admin, { page: 1, limit: 10 })).total).toBe(4);
    expect((await h.payments.listHistory(admin, { page: 1, limit: 10, userId: other.id })).total).toBe(1);
  });

  it("publishes committed changes to subscribers", async () => {
    const { data } = await start();
    const seen: string[] = [];
    const off = h.payments.events.subscribe(data.transactionId, (c) => seen.push(c.status));
    await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1) }));
    off();
    expect(seen).toEqual(["completed"]);
  });
});

it("darajaError builds outcome_unknown errors the service treats as unknown", () => {
  expect(darajaError("outcome_unknown").underlying).toBe("timeout");
});
