/**
 * M-Pesa STK callbacks: record first, answer fast, then decide (payments.md "Trusting a callback").
 *
 * `receive` stores the callback exactly as it came (raw body, source address, signature validity)
 * BEFORE anything else, runs the cheap checks (allow-list, signature, shape, ids, replayed receipt)
 * and either refuses it (stored as `rejected`, 4xx) or accepts it for processing (200). Processing
 * runs after the answer: an STK Query confirms a success before it is credited (when configured, and
 * always when the ids were adopted from the callback), then the result goes through the one
 * `applyPaymentEvent` path. A processing failure leaves the row `received` with `processed_at` NULL;
 * the reconciler finishes it.
 */
import type { Clock } from "../clock.ts";
import type { DarajaApi, StkCallback } from "../daraja/contract.ts";
import { parseStkCallback, StkCallbackParseError } from "../daraja/stk-callback.ts";
import type { Db } from "../db/database.ts";
import type { CallbackVerdict, MpesaCallbackRow, PaymentTransactionRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { countCallback, type Metrics } from "../metrics.ts";
import type { Secret } from "../secret.ts";
import {
  claimCallback,
  decideCallback,
  deferCallback,
  findCallback,
  findUndecidedCallbacksFor,
  insertCallback,
} from "./callback.repository.ts";
import { verifyCallbackSignature } from "./callback-url.ts";
import {
  findByCheckoutRequestId,
  findByReceipt,
  findTransaction,
  hadUnknownPushOutcome,
} from "./payment.repository.ts";
import type { ApplyFn } from "./payment-apply.ts";
import { eventFromResult, isPaidResult, resultFromCallback, resultFromQuery } from "./payment-result.ts";
import type { PaymentTimings } from "./timings.ts";

export interface CallbackServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  daraja: DarajaApi;
  timings: PaymentTimings;
  metrics?: Metrics | undefined;
  callbackSecret: Secret;
  /** Confirm every success by STK Query before crediting it. */
  verifyCallbacks: boolean;
  /** Refuse callbacks from other addresses; empty: accept any, log the address. */
  allowedIps: readonly string[];
  apply: ApplyFn;
}

export interface IncomingCallback {
  rawBody: string;
  tx: string | undefined;
  sig: string | undefined;
  sourceIp: string | null;
}

export interface CallbackService {
  /** Stores and checks; throws AppError (after storing) when refused. Processing continues in the background. */
  receive(input: IncomingCallback): Promise<{ callbackId: string }>;
  /** Decides a stored callback (background, reconciler, or once its push settled). */
  process(callbackId: string, options?: { force?: boolean }): Promise<CallbackVerdict>;
  /** Finishes callbacks that arrived before their push was settled. */
  finishWaitingFor(transactionId: string): Promise<void>;
  /** Resolves when no background processing is running (tests, shutdown). */
  whenIdle(): Promise<void>;
}

type Checked =
  | { ok: true; tx: PaymentTransactionRow; callback: StkCallback }
  | { ok: false; error: AppError };

/**
 * Daraja's parser, plus one rule of ours: a callback carrying NUL anywhere (raw, or escaped as
 * `\u0000`) is malformed. No Daraja callback does, and text columns cannot store the character.
 */
function parseCallback(raw: string): StkCallback {
  const callback = parseStkCallback(raw);
  if (JSON.stringify(callback).includes("\\u0000"))
    throw new StkCallbackParseError("Body.stkCallback", "contains a NUL character");
  return callback;
}

const LEASE_MS = 60_000;
const QUERY_RETRY_MS = 30_000;

export function createCallbackService(deps: CallbackServiceDeps): CallbackService {
  const { db, clock, logger } = deps;
  const running = new Set<Promise<unknown>>();

  const refuse = (reason: string) => ({
    ok: false as const,
    error: new AppError("CALLBACK_REJECTED", reason),
  });

  async function check(row: MpesaCallbackRow): Promise<Checked> {
    if (deps.allowedIps.length > 0 && (row.source_ip === null || !deps.allowedIps.includes(row.source_ip)))
      return refuse(`Callback source address ${row.source_ip ?? "unknown"} is not allowed`);
    if (row.signature_valid !== 1 || row.transaction_id === null)
      return refuse("Callback signature is missing or invalid");
    let callback: StkCallback;
    try {
      callback = parseCallback(row.raw_body);
    } catch (error) {
      const detail = error instanceof StkCallbackParseError ? error.message : "unreadable";
      return { ok: false, error: new AppError("VALIDATION_ERROR", `Malformed callback: ${detail}`) };
    }
    const tx = await findTransaction(db.kysely, row.transaction_id);
    if (!tx) return refuse("Callback names an unknown transaction");
    if (tx.checkout_request_id !== null) {
      if (
        callback.checkoutRequestId !== tx.checkout_request_id ||
        callback.merchantRequestId !== tx.merchant_request_id
      )
        return refuse("CheckoutRequestID or MerchantRequestID do not match this transaction");
    } else {
      // We never stored Daraja's ids: only an attempt whose push outcome was unknown (or is still in
      // flight) may learn them from a signed callback.
      const mayAdopt = tx.status === "initiated" || (await hadUnknownPushOutcome(db.kysely, tx.id));
      if (!mayAdopt) return refuse("No prompt was sent for this transaction");
      const owner = await findByCheckoutRequestId(db.kysely, callback.checkoutRequestId);
      if (owner && owner.id !== tx.id) return refuse("CheckoutRequestID belongs to another transaction");
    }
    // Daraja charges exactly the amount we pushed, to the phone we pushed to: a callback that says
    // otherwise is not what we sent, so it is refused. The payment stays open and the reconciler's
    // STK Query (Daraja's own answer) settles it at the pushed amount.
    const metadata = callback.metadata;
    if (metadata?.amount != null && metadata.amount !== tx.amount)
      return refuse(
        `Amount ${metadata.amount} differs from the ${tx.amount} KES pushed for this transaction`,
      );
    if (metadata?.phoneNumber != null && metadata.phoneNumber !== tx.phone_number)
      return refuse("PhoneNumber differs from the number the prompt was sent to");
    const receipt = callback.metadata?.mpesaReceiptNumber ?? null;
    if (receipt !== null) {
      const owner = await findByReceipt(db.kysely, receipt);
      if (owner && owner.id !== tx.id)
        return refuse("M-Pesa receipt already recorded for another transaction");
    }
    return { ok: true, tx, callback };
  }

  async function decide(id: string, verdict: Exclude<CallbackVerdict, "received">, reason: string | null) {
    if (await decideCallback(db.kysely, id, verdict, reason, clock.now())) {
      if (deps.metrics) countCallback(deps.metrics, verdict);
      const log = verdict === "rejected" ? logger.warn.bind(logger) : logger.info.bind(logger);
      log({ callbackId: id, verdict, reason }, `callback ${verdict}`);
    }
    return verdict;
  }

  async function defer(row: MpesaCallbackRow, reason: string, retryMs: number): Promise<CallbackVerdict> {
    const now = clock.now();
    if (now.getTime() - new Date(row.received_at).getTime() > deps.timings.callbackGiveUpMs)
      return decide(row.id, "rejected", `never confirmed: ${reason}`);
    await deferCallback(db.kysely, row.id, reason, new Date(now.getTime() + retryMs));
    logger.info({ callbackId: row.id, reason }, "callback deferred");
    return "received";
  }

  async function process(callbackId: string, options: { force?: boolean } = {}): Promise<CallbackVerdict> {
    const now = clock.now();
    const until = new Date(now.getTime() + LEASE_MS);
    const row = await findCallback(db.kysely, callbackId);
    if (!row) return "rejected";
    if (row.verdict !== "received") return row.verdict;
    if (!options.force && !(await claimCallback(db.kysely, callbackId, now, until))) return "received";

    const checked = await check(row);
    if (!checked.ok) return decide(row.id, "rejected", checked.error.message);
    const { tx, callback } = checked;
    if (tx.status === "initiated")
      return defer(row, "waiting for the push to settle", deps.timings.callbackRetryMs);

    const result = resultFromCallback(callback);
    let confirm = deps.verifyCallbacks && isPaidResult(result);
    if (tx.checkout_request_id === null) {
      const adopted = await deps.apply(
        tx.id,
        {
          type: "ids_adopted",
          merchantRequestId: callback.merchantRequestId,
          checkoutRequestId: callback.checkoutRequestId,
        },
        "callback",
      );
      if (!adopted.applied)
        return decide(row.id, "rejected", `Could not adopt the callback's ids: ${adopted.reason}`);
      confirm = true;
    }

    if (confirm) {
      let answer: Awaited<ReturnType<DarajaApi["stkQuery"]>>;
      try {
        answer = await deps.daraja.stkQuery(callback.checkoutRequestId);
      } catch (error) {
        return defer(row, `STK Query failed: ${(error as Error).message}`, QUERY_RETRY_MS);
      }
      const queried = eventFromResult(resultFromQuery(answer));
      // Not settled (or a code we do not know): ask again later rather than believe either side.
      if (queried.type === "not_final" || queried.type === "unrecognised")
        return defer(row, "STK Query has no final answer yet", QUERY_RETRY_MS);
      const callbackEvent = eventFromResult(result);
      if (queried.type !== callbackEvent.type) {
        // Daraja's own answer settles the payment; the callback that disagrees is not believed.
        await deps.apply(tx.id, queried, "query");
        const code = answer.kind === "final" ? answer.resultCode : "not final";
        return decide(row.id, "rejected", `STK Query says ${code}; the callback's result is not confirmed`);
      }
    }

    const outcome = await deps.apply(tx.id, eventFromResult(result), "callback");
    if (!outcome.applied) return decide(row.id, "rejected", outcome.reason);
    return decide(row.id, outcome.duplicate ? "duplicate" : "accepted", outcome.note);
  }

  function inBackground(work: Promise<unknown>): void {
    const tracked = work.catch((error) =>
      logger.error({ err: error }, "callback processing failed; left for the reconciler"),
    );
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
  }

  return {
    async receive(input) {
      const now = clock.now();
      const signatureValid = verifyCallbackSignature(deps.callbackSecret, input.tx, input.sig);
      let parsed: StkCallback | null = null;
      try {
        parsed = parseCallback(input.rawBody);
      } catch {
        parsed = null;
      }
      const row = await insertCallback(db.kysely, {
        transactionId:
          typeof input.tx === "string" && input.tx.length <= 100 && !input.tx.includes("\u0000")
            ? input.tx
            : null,
        checkoutRequestId: parsed?.checkoutRequestId.slice(0, 100) ?? null,
        merchantRequestId: parsed?.merchantRequestId.slice(0, 100) ?? null,
        resultCode: parsed?.resultCode ?? null,
        sourceIp: input.sourceIp,
        signatureValid,
        // Text columns cannot hold NUL; such a body is not JSON anyway and is refused as malformed.
        rawBody: input.rawBody.replaceAll("\u0000", "\\u0000"),
        at: now,
      });
      if (deps.allowedIps.length === 0)
        logger.debug({ callbackId: row.id, sourceIp: input.sourceIp }, "callback received");
      const callbackId = row.id;
      const checked = await check(row);
      if (!checked.ok) {
        await decide(callbackId, "rejected", checked.error.message);
        throw checked.error;
      }
      inBackground(process(callbackId));
      return { callbackId };
    },
    process,
    async finishWaitingFor(transactionId) {
      for (const row of await findUndecidedCallbacksFor(db.kysely, transactionId))
        await process(row.id, { force: true });
    },
    async whenIdle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
