/**
 * An M-Pesa STK callback arrives: record first, answer fast (payments.md "Trusting a callback").
 * The callback is stored exactly as it came (raw body, source address, signature validity) before
 * it is answered, with its verdict: refused by the cheap checks (`rejected`, 4xx), or, in the
 * common case, applied in the same transaction (`recordAndApply`: one write transaction for the
 * callback, the payment, the ledger, the fee, the booking and the event). One that cannot be
 * applied at once is stored `received` and answered 200, and processing goes on in the background
 * (`processCallback`). The body is parsed once, here, and the parsed callback handed on.
 */

import { AppError } from "../errors.ts";
import { insertCallback, newCallbackRow, withVerdict } from "./callback.repository.ts";
import { checkArrival, checkCallback, parseCallbackBody } from "./callback-checks.ts";
import { verifyCallbackSignature } from "./callback-url.ts";
import { decideCallbackVerdict, noteVerdict } from "./callback-verdict.ts";
import type { PaymentsContext } from "./context.ts";
import { processCallback } from "./process-callback.ts";
import { recordAndApply } from "./record-and-apply.ts";

export interface IncomingCallback {
  rawBody: string;
  tx: string | undefined;
  sig: string | undefined;
  sourceIp: string | null;
}

/** Stores and checks; throws AppError (after storing) when refused. Processing continues in the background. */
export async function receiveCallback(
  ctx: PaymentsContext,
  input: IncomingCallback,
): Promise<{ callbackId: string }> {
  const now = ctx.clock.now();
  const signatureValid = verifyCallbackSignature(ctx.callbacks.secret, input.tx, input.sig);
  // Daraja's callbacks come back signed; a flood of unsigned ones from one address is answered,
  // counted, and not stored.
  const limit = ctx.timings.invalidCallbacksPerAddressPerMinute;
  if (!signatureValid && !ctx.invalidCallbacks.take(input.sourceIp ?? "unknown", now, limit)) {
    ctx.metrics?.mpesaCallbacksDropped.inc({ reason: "rate_limited" });
    ctx.logger.warn({ sourceIp: input.sourceIp }, "unsigned callback dropped: too many from this address");
    throw new AppError("RATE_LIMITED", "Too many unsigned callbacks from this address; try again later", {
      retryAfterSeconds: 60,
    });
  }
  const body = parseCallbackBody(input.rawBody);
  const parsed = body.ok ? body.callback : null;
  // Text columns cannot hold NUL; such a body is not JSON anyway and is refused as malformed.
  const escaped = input.rawBody.replaceAll("\u0000", "\\u0000");
  // A callback refused on arrival is kept in part (its size is recorded): no one fills the disk.
  const keepAll = signatureValid && body.ok;
  const row = newCallbackRow({
    transactionId:
      typeof input.tx === "string" && input.tx.length <= 100 && !input.tx.includes("\u0000")
        ? input.tx
        : null,
    checkoutRequestId: parsed?.checkoutRequestId ?? null,
    merchantRequestId: parsed?.merchantRequestId ?? null,
    resultCode: parsed?.resultCode ?? null,
    sourceIp: input.sourceIp,
    signatureValid,
    rawBody: keepAll ? escaped : escaped.slice(0, ctx.timings.invalidCallbackBodyChars),
    bodyBytes: Buffer.byteLength(input.rawBody, "utf8"),
    at: now,
  });
  if (ctx.callbacks.allowedIps.length === 0)
    ctx.logger.debug({ callbackId: row.id, sourceIp: input.sourceIp }, "callback received");
  const admitted = checkArrival(ctx.callbacks, row, body);
  if (!admitted.ok) {
    const refused = withVerdict(row, "rejected", admitted.error.message, now);
    await insertCallback(ctx.db.kysely, refused);
    noteVerdict(ctx, row.id, "rejected", refused.reason);
    throw admitted.error;
  }
  const recorded = await recordAndApply(ctx, row, admitted.transactionId, admitted.callback);
  if (recorded?.refusal) throw recorded.refusal;
  if (recorded === null) {
    // Nothing was written (see recordAndApply): stored as received, checked again, then processed.
    await insertCallback(ctx.db.kysely, row);
    const checked = await checkCallback(ctx, row, body);
    if (!checked.ok) {
      await decideCallbackVerdict(ctx, row.id, "rejected", checked.error.message);
      throw checked.error;
    }
  }
  if (recorded === null || recorded.verdict === "received")
    ctx.background.run(processCallback(ctx, row.id, { body }));
  return { callbackId: row.id };
}
