/**
 * Payments without HTTP: a scripted fake Daraja, Daraja-shaped callback bodies, and a harness with a
 * fresh database, a manual clock and the real payments module.
 */

import type { LightMyRequestResponse } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createBookingsService } from "../../src/bookings/bookings.service.ts";
import { type Clock, ManualClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import { createDarajaClient, type DarajaClient } from "../../src/daraja/client.ts";
import type { DarajaApi, StkPushAccepted, StkPushInput, StkQueryResult } from "../../src/daraja/contract.ts";
import { DarajaError, type DarajaErrorKind } from "../../src/daraja/errors.ts";
import type { RateLimitSettings } from "../../src/daraja/rate-limiter.ts";
import { encryptSecurityCredential } from "../../src/daraja/security-credential.ts";
import type { DatabaseOptions } from "../../src/db/database.ts";
import type { BookingFeeRow, MpesaCallbackRow, PaymentTransactionRow } from "../../src/db/schema.ts";
import { DEFAULT_INITIATOR, type EmulatorOptions } from "../../src/emulator/index.ts";
import { AppError } from "../../src/errors.ts";
import type { RateLimits } from "../../src/http/rate-limits.ts";
import { newId } from "../../src/ids.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createLogger } from "../../src/logger.ts";
import { createMetrics } from "../../src/metrics.ts";
import { callbackSignature } from "../../src/payments/callback-url.ts";
import type { StkPushStarted } from "../../src/payments/initiate-push.ts";
import { createPayments, type Payments } from "../../src/payments/payments.ts";
import type { PaymentTimings } from "../../src/payments/timings.ts";
import type { TransactionView } from "../../src/payments/transaction-view.ts";
import type { Actor } from "../../src/users/user.ts";
import { bearer, createBooking, registerUser, startTestApp, type TestApp } from "./app.ts";
import { assertBooksBalanced } from "./books.ts";
import { createTestDb, type TestDb } from "./db.ts";
import { EMULATOR_CREDENTIALS, startTestEmulator, type TestEmulator } from "./emulator.ts";

export const SUCCESS_PHONE = "254708374149";

type PushBehaviour = (input: StkPushInput, n: number) => Promise<StkPushAccepted>;
type QueryBehaviour = (checkoutRequestId: string) => Promise<StkQueryResult>;

/** A Daraja whose answers the test scripts. Pushes are accepted and queries say "processing" by default. */
export class FakeDaraja implements DarajaApi {
  readonly pushes: StkPushInput[] = [];
  readonly queries: string[] = [];
  onPush: PushBehaviour = async (_input, n) => accepted(n);
  onQuery: QueryBehaviour = async () => stillProcessing();
  readonly queryAnswers = new Map<string, StkQueryResult>();

  async stkPush(input: StkPushInput): Promise<StkPushAccepted> {
    this.pushes.push(input);
    return this.onPush(input, this.pushes.length);
  }

  async stkQuery(checkoutRequestId: string): Promise<StkQueryResult> {
    this.queries.push(checkoutRequestId);
    const scripted = this.queryAnswers.get(checkoutRequestId);
    return scripted ?? this.onQuery(checkoutRequestId);
  }

  refusePushWith(
    kind: DarajaErrorKind,
    details: { errorCode?: string; errorMessage?: string; field?: string } = {},
  ) {
    this.onPush = async () => {
      throw darajaError(kind, details);
    };
  }

  /** The push reaches Daraja but the answer is lost. */
  losePushResponse() {
    this.onPush = async () => {
      throw darajaError("outcome_unknown", { errorMessage: "timed out" });
    };
  }

  answerQuery(checkoutRequestId: string, resultCode: string, resultDesc = "result") {
    this.queryAnswers.set(checkoutRequestId, {
      kind: "final",
      merchantRequestId: merchantIdFor(checkoutRequestId),
      checkoutRequestId,
      resultCode,
      resultDesc,
    });
  }
}

export function darajaError(
  kind: DarajaErrorKind,
  details: { errorCode?: string; errorMessage?: string; field?: string } = {},
): DarajaError {
  return new DarajaError(kind, details.errorMessage ?? kind, {
    operation: "stk_push",
    retryable: false,
    errorCode: details.errorCode ?? null,
    errorMessage: details.errorMessage ?? null,
    field: details.field ?? null,
    ...(kind === "outcome_unknown" ? { underlying: "timeout" as const } : {}),
  });
}

export const checkoutIdFor = (n: number) => `ws_CO_15012026120000${String(n).padStart(3, "0")}708374149`;
export const merchantIdFor = (checkoutRequestId: string) => `mr-${checkoutRequestId.slice(-12)}`;

export function accepted(n: number): StkPushAccepted {
  const checkoutRequestId = checkoutIdFor(n);
  return {
    merchantRequestId: merchantIdFor(checkoutRequestId),
    checkoutRequestId,
    responseCode: "0",
    responseDescription: "Success. Request accepted for processing",
    customerMessage: "Success. Request accepted for processing",
  };
}

export function stillProcessing(): StkQueryResult {
  return { kind: "not_final", reason: "processing", resultDesc: "The transaction is still under processing" };
}

export interface CallbackFields {
  checkoutRequestId: string;
  merchantRequestId?: string;
  resultCode?: number | string;
  resultDesc?: string;
  amount?: number;
  receipt?: string;
  phone?: string;
}

let receiptSequence = 0;
export function nextReceipt(): string {
  receiptSequence += 1;
  return `UAF${String(receiptSequence).padStart(7, "0")}`;
}

/** A callback body exactly as Daraja sends it (metadata only on success; items read by Name). */
export function callbackBody(f: CallbackFields): string {
  const resultCode = f.resultCode ?? 0;
  const success = String(resultCode) === "0";
  return JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: f.merchantRequestId ?? merchantIdFor(f.checkoutRequestId),
        CheckoutRequestID: f.checkoutRequestId,
        ResultCode: resultCode,
        ResultDesc: f.resultDesc ?? (success ? "The service request is processed successfully." : "failed"),
        ...(success
          ? {
              CallbackMetadata: {
                Item: [
                  { Name: "Amount", Value: f.amount ?? 500 },
                  { Name: "MpesaReceiptNumber", Value: f.receipt ?? nextReceipt() },
                  { Name: "Balance" },
                  { Name: "TransactionDate", Value: 20260115120500 },
                  { Name: "PhoneNumber", Value: Number(f.phone ?? SUCCESS_PHONE) },
                ],
              },
            }
          : {}),
      },
    },
  });
}

export const CALLBACK_SECRET = "test-callback-secret-0123456789abcdef";

/** The error code of a refused delivery (`PaymentsHarness.deliver`), or null when it was accepted. */
export function refusalCode(result: { callbackId: string } | { error: unknown }): string | null {
  if ("error" in result) return result.error instanceof AppError ? result.error.code : String(result.error);
  return null;
}

/** A customer with one booking, and a push for its fee from the success test number. */
export interface Payer {
  customer: Actor;
  bookingId: string;
  start(): Promise<StkPushStarted>;
}

export interface PaymentsHarness {
  db: TestDb;
  clock: ManualClock;
  daraja: FakeDaraja;
  payments: Payments;
  customer(): Promise<Actor>;
  booking(owner: Actor): Promise<{ bookingId: string }>;
  payer(): Promise<Payer>;
  /** Delivers a callback for `transactionId` signed (or not) and waits for its processing. */
  deliver(
    transactionId: string,
    body: string,
    options?: { sig?: string | null },
  ): Promise<{ callbackId: string } | { error: unknown }>;
  /** The stored attempt. */
  row(transactionId: string): Promise<PaymentTransactionRow>;
  /** The stored callbacks of an attempt, in the order they arrived. */
  callbacksOf(transactionId: string): Promise<MpesaCallbackRow[]>;
  balances(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function createPaymentsHarness(
  options: { env?: Record<string, string>; timings?: Partial<PaymentTimings>; db?: DatabaseOptions } = {},
): Promise<PaymentsHarness> {
  const db = await createTestDb(undefined, options.db);
  const clock = new ManualClock("2026-01-15T09:00:00.000Z");
  const config = loadConfig({
    LOG_LEVEL: "silent",
    CALLBACK_SECRET,
    PUBLIC_BASE_URL: "http://127.0.0.1:3999",
    MPESA_VERIFY_CALLBACKS: "false",
    ...options.env,
  });
  const daraja = new FakeDaraja();
  const payments = createPayments({
    config,
    db: db.db,
    logger: createLogger("silent"),
    clock,
    daraja,
    metrics: createMetrics(),
    timings: options.timings,
  });
  const bookings = createBookingsService({ config, db: db.db, clock });
  const harness: PaymentsHarness = {
    db,
    clock,
    daraja,
    payments,
    async customer() {
      const id = newId("usr");
      await db.db.kysely
        .insertInto("users")
        .values({
          id,
          email: `${id}@example.com`,
          name: "Test Customer",
          password_hash: "x",
          phone_number: null,
          role: "customer",
          created_at: clock.now().toISOString(),
        })
        .execute();
      return { id, role: "customer" };
    },
    async booking(owner) {
      const booking = await bookings.create(owner, { service: "Plumbing" });
      return { bookingId: booking.id };
    },
    async payer() {
      const customer = await harness.customer();
      const { bookingId } = await harness.booking(customer);
      const start = () =>
        payments.initiateStkPush({ userId: customer.id, bookingId, phoneNumber: SUCCESS_PHONE });
      return { customer, bookingId, start };
    },
    async deliver(transactionId, body, deliverOptions = {}) {
      const sig =
        deliverOptions.sig === undefined
          ? callbackSignature(config.callbackSecret, transactionId)
          : deliverOptions.sig;
      try {
        const result = await payments.callbacks.receive({
          rawBody: body,
          tx: transactionId,
          sig: sig ?? undefined,
          sourceIp: "196.201.214.200",
        });
        await payments.callbacks.whenIdle();
        return result;
      } catch (error) {
        return { error };
      }
    },
    row(transactionId) {
      return db.db.kysely
        .selectFrom("payment_transactions")
        .selectAll()
        .where("id", "=", transactionId)
        .executeTakeFirstOrThrow();
    },
    callbacksOf(transactionId) {
      return db.db.kysely
        .selectFrom("mpesa_callbacks")
        .selectAll()
        .where("transaction_id", "=", transactionId)
        .orderBy("received_at")
        .orderBy("id")
        .execute();
    },
    async balances() {
      return accountBalances(db.db.kysely);
    },
    async close() {
      await payments.stop();
      await assertBooksBalanced(db.db.kysely);
      await db.cleanup();
    },
  };
  return harness;
}

// ── Integration: the real HTTP server, the real Daraja client and the real emulator ─────────────

export interface PaymentsStack {
  t: TestApp;
  emulator: TestEmulator;
  clock: ManualClock;
  /** A signed-in customer and one of their bookings. */
  customer(): Promise<{ token: string; userId: string; bookingId: string }>;
  stkPush(
    token: string,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  status(token: string, transactionId: string): Promise<LightMyRequestResponse>;
  /** Polls the status route (without moving the clock) until `predicate` holds. */
  waitForStatus(
    token: string,
    transactionId: string,
    statuses: string[],
    timeoutMs?: number,
  ): Promise<TransactionView>;
  /** Posts a callback for `transactionId` to the running server, signed unless `sig` is given. */
  postCallback(transactionId: string | null, body: string, sig?: string | null): Promise<Response>;
  row(transactionId: string): Promise<PaymentTransactionRow>;
  /** The booking fee row of a booking. */
  fee(bookingId: string): Promise<BookingFeeRow>;
  close(): Promise<void>;
}

/**
 * The real Daraja client, talking to a test emulator, with short retries; with the emulator's
 * certificate it can also send money out as the emulator's default initiator. Given a rate limit,
 * its queue measures time on `clock` (the test moves it), so a test can fill it and then make room.
 */
export function emulatorDarajaClient(
  baseUrl: string,
  clock: Clock,
  certificatePem?: string,
  rateLimit?: RateLimitSettings,
): DarajaClient {
  return createDarajaClient({
    ...(rateLimit ? { rateLimit, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) } : {}),
    baseUrl,
    consumerKey: EMULATOR_CREDENTIALS.consumerKey,
    consumerSecret: EMULATOR_CREDENTIALS.consumerSecret,
    shortcode: EMULATOR_CREDENTIALS.shortcode,
    passkey: EMULATOR_CREDENTIALS.passkey,
    transactionType: "CustomerPayBillOnline",
    timeoutMs: 5_000,
    clock,
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    ...(certificatePem === undefined
      ? {}
      : {
          initiator: {
            name: DEFAULT_INITIATOR.name,
            securityCredential: encryptSecurityCredential(DEFAULT_INITIATOR.password, certificatePem),
            b2cShortcode: EMULATOR_CREDENTIALS.shortcode,
          },
        }),
  });
}

export async function startPaymentsStack(
  options: {
    env?: Record<string, string>;
    emulator?: EmulatorOptions;
    rateLimits?: Partial<RateLimits>;
    liveRefreshMs?: number;
    paymentTimings?: Partial<PaymentTimings>;
    /** The Daraja client's queue (default: the client's own, on the system clock). */
    darajaRateLimit?: RateLimitSettings;
    /** Serve a built web app from this directory (browser tests on this stack). */
    webRoot?: string;
  } = {},
): Promise<PaymentsStack> {
  const emulator = await startTestEmulator(options.emulator);
  const clock = new ManualClock(new Date());
  const daraja = emulatorDarajaClient(
    emulator.baseUrl,
    clock,
    emulator.emulator.certificatePem,
    options.darajaRateLimit,
  );
  let t: TestApp;
  try {
    t = await startTestApp({
      daraja,
      clock,
      config: { MPESA_VERIFY_CALLBACKS: "true", ...options.env },
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      ...(options.liveRefreshMs === undefined ? {} : { liveRefreshMs: options.liveRefreshMs }),
      ...(options.paymentTimings ? { paymentTimings: options.paymentTimings } : {}),
      ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const stack: PaymentsStack = {
    t,
    emulator,
    clock,
    async customer() {
      const { user, token } = await registerUser(t.app);
      const booking = await createBooking(t.app, token);
      return { token, userId: user.id, bookingId: booking.id };
    },
    stkPush(token, body, headers = {}) {
      return t.app.inject({
        method: "POST",
        url: "/api/v1/payments/mpesa/stkpush",
        headers: { ...bearer(token), ...headers },
        payload: body,
      });
    },
    status(token, transactionId) {
      return t.app.inject({
        method: "GET",
        url: `/api/v1/payments/mpesa/status/${encodeURIComponent(transactionId)}`,
        headers: bearer(token),
      });
    },
    async waitForStatus(token, transactionId, statuses, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const res = await stack.status(token, transactionId);
        const tx = (res.json() as { transaction?: TransactionView }).transaction;
        if (tx && statuses.includes(tx.status)) {
          await t.services.payments.callbacks.whenIdle();
          return tx;
        }
        if (Date.now() > until)
          throw new Error(
            `transaction ${transactionId} is ${tx?.status ?? res.body}, not ${statuses.join("/")}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    postCallback(transactionId, body, sig) {
      const params = new URLSearchParams();
      if (transactionId !== null) params.set("tx", transactionId);
      const signature =
        sig === undefined && transactionId !== null
          ? callbackSignature(t.config.callbackSecret, transactionId)
          : sig;
      if (signature) params.set("sig", signature);
      return fetch(`${t.url}/api/v1/payments/mpesa/callback?${params}`, {
        method: "POST",
        headers: { "content-type": "application/json;charset=UTF-8" },
        body,
      });
    },
    row(transactionId) {
      return t.db.db.kysely
        .selectFrom("payment_transactions")
        .selectAll()
        .where("id", "=", transactionId)
        .executeTakeFirstOrThrow();
    },
    fee(bookingId) {
      return t.db.db.kysely
        .selectFrom("booking_fees")
        .selectAll()
        .where("booking_id", "=", bookingId)
        .executeTakeFirstOrThrow();
    },
    async close() {
      try {
        await t.services.payments.stop();
        await assertBooksBalanced(t.db.db.kysely);
      } finally {
        await t.close();
        await emulator.close();
      }
    },
  };
  return stack;
}

/**
 * One payments stack for a test file: started before all tests, each test in a fresh minute (the
 * per-phone attempt limit), background callbacks settled and the books checked after each (the
 * ledger balanced and agreeing with fees, payouts and refunds), closed after all. `use` receives
 * the stack once it runs; `env` configures it (e.g. PAYOUT_APPROVAL).
 */
export function withPaymentsStack(
  use: (stack: PaymentsStack) => void,
  options: Parameters<typeof startPaymentsStack>[0] = {},
): void {
  let stack: PaymentsStack | undefined;
  beforeAll(async () => {
    stack = await startPaymentsStack(options);
    use(stack);
  });
  beforeEach(() => {
    stack?.clock.advance(61_000);
  });
  afterEach(async () => {
    if (!stack) return;
    await stack.t.services.payments.callbacks.whenIdle();
    await assertBooksBalanced(stack.t.db.db.kysely);
  });
  afterAll(async () => {
    await stack?.close();
  });
}

/** A `POST /stkpush` body for a booking fee. */
export const pushBody = (bookingId: string, phoneNumber: string, extra: Record<string, unknown> = {}) => ({
  phoneNumber,
  bookingId,
  type: "booking_fee",
  ...extra,
});
