/**
 * Payments without HTTP: a scripted fake Daraja, Daraja-shaped callback bodies, and a harness with a
 * fresh database, a manual clock and the real payments module.
 */

import { createBookingsService } from "../../src/bookings/bookings.service.ts";
import { ManualClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import type { DarajaApi, StkPushAccepted, StkPushInput, StkQueryResult } from "../../src/daraja/contract.ts";
import { DarajaError, type DarajaErrorKind } from "../../src/daraja/errors.ts";
import { newId } from "../../src/ids.ts";
import { accountBalances, assertLedgerBalanced } from "../../src/ledger/ledger.ts";
import { createLogger } from "../../src/logger.ts";
import { createMetrics } from "../../src/metrics.ts";
import { callbackSignature } from "../../src/payments/callback-url.ts";
import { createPayments, type Payments } from "../../src/payments/payments.ts";
import type { PaymentTimings } from "../../src/payments/timings.ts";
import type { Actor } from "../../src/users/user.ts";
import { createTestDb, type TestDb } from "./db.ts";

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

export interface PaymentsHarness {
  db: TestDb;
  clock: ManualClock;
  daraja: FakeDaraja;
  payments: Payments;
  customer(): Promise<Actor>;
  booking(owner: Actor): Promise<{ bookingId: string }>;
  /** Delivers a callback for `transactionId` signed (or not) and waits for its processing. */
  deliver(
    transactionId: string,
    body: string,
    options?: { sig?: string | null },
  ): Promise<{ callbackId: string } | { error: unknown }>;
  balances(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function createPaymentsHarness(
  options: { env?: Record<string, string>; timings?: Partial<PaymentTimings> } = {},
): Promise<PaymentsHarness> {
  const db = await createTestDb();
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
  return {
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
    async balances() {
      return accountBalances(db.db.kysely);
    },
    async close() {
      await payments.stop();
      await assertLedgerBalanced(db.db.kysely);
      await db.cleanup();
    },
  };
}
