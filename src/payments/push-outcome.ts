/**
 * What a failed `stkPush` call means for the attempt and for the customer. Two cases only:
 * - refused: Daraja (or our client, before sending: a bad field, a full queue) said no; no prompt
 *   exists, the attempt fails;
 * - unknown: the request may have reached Daraja (timeout, broken connection, unreadable answer).
 *   Never pushed again (Daraja has no idempotency key: a second push could charge twice); the
 *   callback, matched by the signed transaction id in its URL, or the reconciler settles it.
 * Anything that is not a DarajaError is treated as unknown: the safe side.
 */
import { DarajaError } from "../daraja/errors.ts";
import { mayActOnceSent } from "../daraja/operations.ts";
import { AppError } from "../errors.ts";

export type PushFailure =
  | { kind: "refused"; errorCode: string; errorMessage: string; error: AppError }
  | { kind: "unknown"; reason: string };

export function classifyPushFailure(error: unknown): PushFailure {
  if (!(error instanceof DarajaError)) return { kind: "unknown", reason: describe(error) };
  const errorCode = error.errorCode ?? error.kind;
  const errorMessage = error.errorMessage ?? error.message;
  const refused = (appError: AppError): PushFailure => ({
    kind: "refused",
    errorCode,
    errorMessage,
    error: appError,
  });
  switch (error.kind) {
    case "outcome_unknown":
      return { kind: "unknown", reason: `${error.underlying ?? "unknown"}: ${error.message}` };
    case "unexpected_response":
      // A 2xx we cannot read may be an accepted push; anything else was a refusal.
      if (mayActOnceSent(error.operation) && (error.httpStatus === null || error.httpStatus < 300))
        return { kind: "unknown", reason: `unexpected response: ${error.message}` };
      return refused(rejected(errorMessage));
    case "validation":
      if (error.field === "PhoneNumber" || error.field === "PartyA")
        return refused(
          new AppError("INVALID_PHONE", "M-Pesa does not accept this phone number. Check it and try again."),
        );
      return refused(rejected(errorMessage));
    case "subscriber_locked":
      return refused(
        new AppError(
          "PAYMENT_IN_PROGRESS",
          "Another M-Pesa request is open on this phone. Finish or cancel it, then try again in a minute.",
          { retryAfterSeconds: 60 },
        ),
      );
    case "rate_limited":
      if (error.local) return refused(mpesaBusy(error.retryAfterMs ?? 1_000));
      return refused(
        new AppError("MPESA_UNAVAILABLE", "M-Pesa is not available right now. Try again shortly."),
      );
    case "server":
    case "network":
    case "timeout":
      // Nothing was created at Daraja (the client reports a sent push with an unknown outcome as
      // `outcome_unknown`), so the customer can simply try again shortly.
      return refused(
        new AppError("MPESA_UNAVAILABLE", "M-Pesa is not available right now. Try again shortly."),
      );
    case "authentication":
    case "wrong_credentials":
    case "merchant_not_found":
    case "rejected":
      return refused(rejected(errorMessage));
    default: {
      const _exhaustive: never = error.kind;
      return _exhaustive;
    }
  }
}

/** Our queue toward Daraja is full: nothing was sent; try again once there is room. */
export function mpesaBusy(retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(
    "MPESA_BUSY",
    `Too many M-Pesa requests are waiting right now. Try again in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
  );
}

function rejected(message: string): AppError {
  return new AppError("MPESA_REJECTED", `M-Pesa rejected the payment request: ${message}`);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200);
  return String(error).slice(0, 200);
}
