import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findBookingWithFee } from "../../src/bookings/booking-fee.repository.ts";
import { ManualClock } from "../../src/clock.ts";
import type { PaymentStatus } from "../../src/db/schema.ts";
import type { ResolveAction } from "../../src/emulator/control.ts";
import { newPaymentRow } from "../../src/payments/payment.repository.ts";
import {
  bearer,
  createAdmin,
  createBooking,
  expectError,
  type RegisteredUser,
  registerUser,
  startTestApp,
  type TestApp,
} from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { testEngine } from "../support/db.ts";
import { type PaymentsStack, startPaymentsStack } from "../support/payments.ts";

interface Seed {
  id: string;
  status: PaymentStatus;
  createdAt: string;
  updatedAt?: string;
  completedAt?: string | null;
  resultCode?: string | null;
  failureReason?: string | null;
  amount?: number;
}

describe(`payments report (${testEngine()})`, () => {
  let t: TestApp;
  let admin: RegisteredUser;
  let customer: RegisteredUser;
  const clock = new ManualClock("2026-01-20T12:00:00.000Z");

  async function seed(rows: Seed[]) {
    const booking = await createBooking(t.app, customer.token);
    const { fee } = (await findBookingWithFee(t.db.db.kysely, booking.id))!;
    await t.db.db.kysely
      .insertInto("payment_transactions")
      .values(
        rows.map((r) => ({
          ...newPaymentRow({
            id: r.id,
            booking_id: booking.id,
            booking_fee_id: fee.id,
            user_id: customer.user.id,
            phone_number: "254708374149",
            amount: r.amount ?? 500,
            currency: "KES",
            status: r.status,
            open_fee_key: null,
            failure_reason: r.failureReason ?? null,
            created_at: r.createdAt,
          }),
          mpesa_receipt_number: r.status === "completed" ? `R${r.id}` : null,
          result_code: r.resultCode ?? null,
          paid_amount: r.status === "completed" ? (r.amount ?? 500) : null,
          updated_at: r.updatedAt ?? r.completedAt ?? r.createdAt,
          completed_at: r.completedAt ?? null,
        })),
      )
      .execute();
  }

  beforeAll(async () => {
    t = await startTestApp({ clock });
    admin = await createAdmin(t);
    customer = await registerUser(t.app);
    await seed([
      {
        id: "p01",
        status: "completed",
        createdAt: "2026-01-10T10:00:00.000Z",
        completedAt: "2026-01-10T10:00:20.000Z",
      },
      {
        id: "p02",
        status: "completed",
        createdAt: "2026-01-10T23:59:50.000Z",
        completedAt: "2026-01-11T00:00:30.000Z",
      },
      {
        id: "p03",
        status: "completed",
        createdAt: "2026-01-11T08:00:00.000Z",
        completedAt: "2026-01-11T08:00:10.000Z",
      },
      {
        id: "p04",
        status: "failed",
        createdAt: "2026-01-11T09:00:00.000Z",
        updatedAt: "2026-01-11T09:00:30.000Z",
        resultCode: "1032",
        failureReason: "cancelled",
      },
      {
        id: "p05",
        status: "failed",
        createdAt: "2026-01-11T09:10:00.000Z",
        completedAt: "2026-01-11T09:11:00.000Z",
        resultCode: "1032",
        failureReason: "cancelled",
      },
      {
        id: "p06",
        status: "failed",
        createdAt: "2026-01-11T09:20:00.000Z",
        updatedAt: "2026-01-11T09:20:05.000Z",
        resultCode: "1",
        failureReason: "insufficient_funds",
      },
      { id: "p07", status: "pending", createdAt: "2026-01-11T09:30:00.000Z" },
      { id: "p08", status: "initiated", createdAt: "2026-01-11T09:40:00.000Z" },
      {
        id: "p09",
        status: "needs_review",
        createdAt: "2026-01-12T00:00:00.000Z",
        failureReason: "amount_mismatch",
      },
      // Outside the range: not counted, but an old review item is still listed.
      {
        id: "p10",
        status: "completed",
        createdAt: "2025-11-01T10:00:00.000Z",
        completedAt: "2025-11-01T10:00:05.000Z",
      },
      {
        id: "p11",
        status: "needs_review",
        createdAt: "2025-11-02T10:00:00.000Z",
        failureReason: "no_answer_24h",
      },
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const report = (query: string, token = admin.token) =>
    t.app.inject({ method: "GET", url: `/api/v1/admin/reports/payments${query}`, headers: bearer(token) });

  it("computes success rate, time to result, revenue per day, failure reasons and review items", async () => {
    const res = await report("?from=2026-01-01&to=2026-02-01");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      success: true,
      data: {
        report: {
          from: "2026-01-01T00:00:00.000Z",
          to: "2026-02-01T00:00:00.000Z",
          counts: { initiated: 1, pending: 1, completed: 3, failed: 3, needs_review: 1, total: 9 },
          successRate: 0.5,
          // 5, 10, 20, 30, 40, 60 seconds
          timeToResult: { samples: 6, averageSeconds: 27.5, p95Seconds: 60 },
          revenuePerDay: [
            { day: "2026-01-10", amount: 500, count: 1, currency: "KES" },
            { day: "2026-01-11", amount: 1000, count: 2, currency: "KES" },
          ],
          failureReasons: [
            { reason: "cancelled", resultCode: "1032", count: 2 },
            { reason: "insufficient_funds", resultCode: "1", count: 1 },
          ],
          needsReview: [
            expect.objectContaining({ id: "p11", reason: "no_answer_24h", amount: 500 }),
            expect.objectContaining({
              id: "p09",
              reason: "amount_mismatch",
              createdAt: "2026-01-12T00:00:00.000Z",
            }),
          ],
        },
      },
    });
  });

  it("defaults to the 30 days before now", async () => {
    const body = (await report("")).json().data.report;
    expect(body.to).toBe("2026-01-20T12:00:00.000Z");
    expect(body.from).toBe("2025-12-21T12:00:00.000Z");
    expect(body.counts.total).toBe(9);
  });

  it("answers an empty range with nulls, not zeros or NaN", async () => {
    const body = (await report("?from=2024-01-01&to=2024-02-01")).json().data.report;
    expect(body).toMatchObject({
      successRate: null,
      timeToResult: { samples: 0, averageSeconds: null, p95Seconds: null },
      revenuePerDay: [],
      failureReasons: [],
    });
    expect(body.counts.total).toBe(0);
  });

  it("is for admins only", async () => {
    expectError(await report("", customer.token), 403, "FORBIDDEN");
    expectError(
      await t.app.inject({ method: "GET", url: "/api/v1/admin/reports/payments" }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("refuses bad ranges", async () => {
    for (const query of [
      "?from=yesterday",
      "?from=2026-02-01&to=2026-01-01",
      "?from=2026-01-01&to=2026-01-01",
      "?from=2024-01-01&to=2026-01-01",
      "?to=2026-13-45",
    ])
      expectError(await report(query), 400, "VALIDATION_ERROR");
  });
});

describe(`payments report over payments made through the emulator (${testEngine()})`, () => {
  let s: PaymentsStack;
  beforeAll(async () => {
    // Prompts wait for the test to answer them (or for 24 h without an answer).
    s = await startPaymentsStack({ emulator: { promptTimeoutMs: 100 * 3_600_000 } });
  });
  afterEach(async () => {
    await s.t.services.payments.callbacks.whenIdle();
    await assertBooksBalanced(s.t.db.db.kysely);
  });
  afterAll(async () => {
    await s?.close();
  });

  let phone = 0;
  /** A push answered by the customer `afterSeconds` after it was sent (on the app's clock). */
  async function payment(answer: ResolveAction | null, afterSeconds: number) {
    const c = await s.customer();
    phone += 1;
    const res = await s.stkPush(c.token, {
      phoneNumber: `25479${String(process.pid % 10_000).padStart(4, "0")}${String(phone).padStart(3, "0")}`,
      bookingId: c.bookingId,
      type: "booking_fee",
    });
    const { transactionId, checkoutRequestId } = res.json().data;
    if (answer === null) return transactionId as string;
    s.clock.advance(afterSeconds * 1000);
    s.emulator.emulator.resolve(checkoutRequestId, answer);
    await s.waitForStatus(c.token, transactionId, ["completed", "failed"]);
    return transactionId as string;
  }

  it("computes the figures from real results: success rate, times, revenue, failure reasons, review", async () => {
    const admin = await createAdmin(s.t);
    const unanswered = await payment(null, 0);
    await payment("pay", 20);
    await payment("insufficient_funds", 10);
    await payment("cancel", 5);
    await payment("pay", 40);
    await payment("cancel", 15);
    // The unanswered prompt: Daraja never gives a final answer; after 24 h a person must decide.
    const created = Date.parse((await s.row(unanswered)).created_at);
    for (let pass = 0; pass < 20 && (await s.row(unanswered)).status === "pending"; pass++) {
      s.clock.set(new Date(Math.max(s.clock.now().getTime(), created + 24 * 3_600_000)));
      await s.t.services.payments.reconciler.runOnce();
    }
    const completedDays = await s.t.db.db.kysely
      .selectFrom("payment_transactions")
      .select("completed_at")
      .where("status", "=", "completed")
      .execute();
    const days = [...new Set(completedDays.map((r) => (r.completed_at ?? "").slice(0, 10)))].sort();

    const res = await s.t.app.inject({
      method: "GET",
      url: "/api/v1/admin/reports/payments",
      headers: bearer(admin.token),
    });
    expect(res.statusCode).toBe(200);
    const report = res.json().data.report;
    expect(report.counts).toEqual({
      initiated: 0,
      pending: 0,
      completed: 2,
      failed: 3,
      needs_review: 1,
      total: 6,
    });
    expect(report.successRate).toBe(0.4);
    // 5, 10, 15, 20 and 40 seconds from push to result.
    expect(report.timeToResult).toEqual({ samples: 5, averageSeconds: 18, p95Seconds: 40 });
    expect(report.revenuePerDay.reduce((n: number, d: { amount: number }) => n + d.amount, 0)).toBe(1000);
    expect(report.revenuePerDay.map((d: { day: string }) => d.day)).toEqual(days);
    expect(report.failureReasons).toEqual([
      { reason: expect.stringMatching(/cancel/i), resultCode: "1032", count: 2 },
      { reason: expect.stringMatching(/balance/i), resultCode: "1", count: 1 },
    ]);
    expect(report.needsReview).toEqual([
      expect.objectContaining({
        id: unanswered,
        amount: 500,
        reason: "no final answer from M-Pesa within 24 hours",
      }),
    ]);
  });
});
