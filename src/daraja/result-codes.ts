/**
 * The one table from an STK ResultCode (callback or query) to what it means for a payment.
 * Map on the code, never on ResultDesc: the same code is worded differently by query and callback
 * and across years (Daraja reference §7).
 *
 * Unknown codes are NEVER success and never failure: they come back as `{ outcome: "unknown" }`, which
 * the payment service treats like "not final" — the payment stays pending, is asked about again, and
 * goes to review if it never settles. Guessing "failed" could let a customer pay twice; guessing
 * "paid" could release a booking nobody paid for.
 *
 * `customerMessage` is the one wording a customer sees for a failure: it is stored as the attempt's
 * `failureReason`, and the web app shows that text rather than keeping words of its own.
 */

/** Short, stable slugs for why a prompt did not end in a payment; stored and reported. */
export type FailureReason =
  | "insufficient_funds"
  | "amount_below_minimum"
  | "amount_above_maximum"
  | "daily_limit_exceeded"
  | "receiver_balance_limit"
  | "duplicate_too_soon"
  | "system_busy"
  | "subscriber_busy"
  | "expired"
  | "push_failed"
  | "cancelled"
  | "smsc_timeout"
  | "no_response"
  | "prompt_too_long"
  | "wrong_pin"
  | "authentication_failed"
  | "session_expired"
  | "not_permitted"
  | "pin_locked"
  | "internal_error"
  | "operator_not_found"
  | "bad_debt";

export type ResultClassification =
  | { outcome: "paid"; code: "0" }
  | {
      outcome: "failed";
      code: string;
      reason: FailureReason;
      /** Plain words for the customer. */
      customerMessage: string;
      /** True when the customer may simply try again (a new push), perhaps after a short wait. */
      canRetry: boolean;
    }
  | { outcome: "not_final"; code: string }
  | { outcome: "unknown"; code: string };

type Entry =
  | { outcome: "paid" }
  | { outcome: "not_final" }
  | { outcome: "failed"; reason: FailureReason; customerMessage: string; canRetry: boolean };

const failed = (reason: FailureReason, customerMessage: string, canRetry: boolean): Entry => ({
  outcome: "failed",
  reason,
  customerMessage,
  canRetry,
});

/** Every code we know, from the Daraja docs, captured callbacks and SDK tables (reference §7). */
const RESULT_CODES = {
  "0": { outcome: "paid" },
  "1": failed(
    "insufficient_funds",
    "Your M-Pesa balance was not enough for this payment. Top up and try again.",
    true,
  ),
  "2": failed("amount_below_minimum", "The amount is below the M-Pesa minimum.", false),
  "3": failed("amount_above_maximum", "The amount is above the M-Pesa maximum for one payment.", false),
  "4": failed("daily_limit_exceeded", "This payment would go over your daily M-Pesa limit.", false),
  "8": failed("receiver_balance_limit", "The payment could not be received. Please try again later.", false),
  "17": failed("duplicate_too_soon", "A payment like this was just made. Please wait 2 minutes.", true),
  "26": failed("system_busy", "M-Pesa is busy right now. Please try again shortly.", true),
  "1001": failed(
    "subscriber_busy",
    "Another M-Pesa request is open on your phone. Try again in a minute.",
    true,
  ),
  "1019": failed(
    "expired",
    "Your phone did not answer the M-Pesa prompt in time. Keep it on and try again.",
    true,
  ),
  "1025": failed("push_failed", "The payment request could not be sent to your phone.", true),
  "1031": failed("cancelled", "You cancelled the M-Pesa prompt. No money was taken.", true),
  "1032": failed("cancelled", "You cancelled the M-Pesa prompt. No money was taken.", true),
  "1036": failed("smsc_timeout", "Your phone could not be reached. Please try again.", true),
  "1037": failed(
    "no_response",
    "Your phone did not answer the M-Pesa prompt in time. Keep it on and try again.",
    true,
  ),
  "1101": failed("prompt_too_long", "The payment request could not be shown on your phone.", false),
  "1102": failed("prompt_too_long", "The payment request could not be shown on your phone.", false),
  "2001": failed("wrong_pin", "The M-Pesa PIN entered was wrong. No money was taken.", true),
  "2008": failed("authentication_failed", "M-Pesa could not confirm it was you. Please try again.", true),
  "2026": failed("session_expired", "The payment session expired. Please try again.", true),
  "2028": failed("not_permitted", "This payment is not allowed for the merchant. Please contact us.", false),
  "4999": { outcome: "not_final" },
  "8006": failed("pin_locked", "Your M-Pesa PIN is locked. Please contact Safaricom.", false),
  "9999": failed("internal_error", "M-Pesa had a problem. Please try again.", true),
  SFC_IC0003: failed(
    "operator_not_found",
    "This payment is not allowed for the merchant. Please contact us.",
    false,
  ),
  E3008: failed("bad_debt", "M-Pesa declined this number. Please use another number.", false),
} as const satisfies Record<string, Entry>;

export type KnownResultCode = keyof typeof RESULT_CODES;

/** Every code the table knows (for tests and reports). */
export const KNOWN_RESULT_CODES = Object.keys(RESULT_CODES) as KnownResultCode[];

/** `1032`, `"1032"`, `" 1032 "` → `"1032"`; the one normalisation for codes from any source. */
export function normalizeResultCode(code: string | number): string {
  return String(code).trim();
}

function isKnown(code: string): code is KnownResultCode {
  return Object.hasOwn(RESULT_CODES, code);
}

/** Classifies an STK ResultCode. Unknown codes are `{ outcome: "unknown" }`, never success. */
export function classifyResultCode(code: string | number): ResultClassification {
  const normalized = normalizeResultCode(code);
  if (!isKnown(normalized)) return { outcome: "unknown", code: normalized };
  const entry: Entry = RESULT_CODES[normalized];
  switch (entry.outcome) {
    case "paid":
      return { outcome: "paid", code: "0" };
    case "not_final":
      return { outcome: "not_final", code: normalized };
    case "failed":
      return {
        outcome: "failed",
        code: normalized,
        reason: entry.reason,
        customerMessage: entry.customerMessage,
        canRetry: entry.canRetry,
      };
    default: {
      const _exhaustive: never = entry;
      return _exhaustive;
    }
  }
}
