/**
 * The tables from a B2C, Reversal, Transaction Status or Account Balance ResultCode to what it
 * means (reference §9–11, §13), one per API because the same code means different things to each.
 * Map on the code, never on ResultDesc. Unknown codes are `{ outcome: "unknown" }`: never success,
 * never failure — the caller asks Transaction Status and, failing that, a person.
 *
 * - `succeeded`: the request did what it asked (money paid out, payment reversed, query answered).
 * - `insufficient_funds` (B2C and Reversal `1`): the organisation's utility account is too low.
 *   Nothing happened; the payout waits (queued) until the account is funded — it is not a failure.
 * - `already_reversed` (Reversal `R000001`): an earlier reversal of this receipt went through; the
 *   refund is done, and paying again would pay twice.
 * - `not_found` (Transaction Status `2032`): M-Pesa knows no such transaction (yet).
 * - `failed`: refused for good; `retryable` says whether trying again later, unchanged, may work.
 */
import type { InitiatorOperation } from "./initiator-response.ts";
import { normalizeResultCode } from "./result-codes.ts";

export type InitiatorFailureReason =
  | "amount_below_minimum"
  | "amount_above_maximum"
  | "daily_limit_exceeded"
  | "recipient_balance_limit"
  | "organisation_account_invalid"
  | "rule_limited"
  | "initiator_not_allowed"
  | "system_busy"
  | "initiator_invalid"
  | "account_status"
  | "product_not_assigned"
  | "recipient_unsupported"
  | "credential_locked"
  | "operator_not_found"
  | "original_transaction_invalid";

export type InitiatorResultClassification =
  | { outcome: "succeeded"; code: "0" }
  | { outcome: "insufficient_funds"; code: string }
  | { outcome: "already_reversed"; code: string }
  | { outcome: "not_found"; code: string }
  | {
      outcome: "failed";
      code: string;
      reason: InitiatorFailureReason;
      retryable: boolean;
      /** Plain words for an admin. */
      description: string;
    }
  | { outcome: "unknown"; code: string };

type Entry =
  | { outcome: "succeeded" | "insufficient_funds" | "already_reversed" | "not_found" }
  | { outcome: "failed"; reason: InitiatorFailureReason; retryable: boolean; description: string };

const failed = (reason: InitiatorFailureReason, retryable: boolean, description: string): Entry => ({
  outcome: "failed",
  reason,
  retryable,
  description,
});

/** Refusals every initiator API can give: the organisation, its operator or its credential. */
const ORGANISATION_FAILURES = {
  "11": failed(
    "organisation_account_invalid",
    false,
    "The organisation's M-Pesa account is not in a state to transact.",
  ),
  "21": failed("initiator_not_allowed", false, "The API operator is not allowed to make this request."),
  "2001": failed(
    "initiator_invalid",
    false,
    "The initiator name or SecurityCredential is wrong (or the certificate is stale).",
  ),
  "2006": failed("account_status", false, "An account's status does not allow this transaction."),
  "2028": failed(
    "product_not_assigned",
    false,
    "The organisation is not set up for this kind of transaction.",
  ),
  "8006": failed("credential_locked", false, "The API operator's security credential is locked."),
} as const satisfies Record<string, Entry>;

const B2C = {
  "0": { outcome: "succeeded" },
  "1": { outcome: "insufficient_funds" },
  "2": failed("amount_below_minimum", false, "The amount is below the M-Pesa B2C minimum."),
  "3": failed("amount_above_maximum", false, "The amount is above the M-Pesa maximum for one payment."),
  "4": failed("daily_limit_exceeded", false, "The payment would exceed a daily limit."),
  "8": failed("recipient_balance_limit", false, "The recipient's M-Pesa balance would exceed its limit."),
  "17": failed("rule_limited", true, "M-Pesa declined a payment like this one made too soon after another."),
  "26": failed("system_busy", true, "M-Pesa was too busy to process the payment."),
  "2040": failed(
    "recipient_unsupported",
    false,
    "The recipient is not a registered M-Pesa customer (or not one this payment type supports).",
  ),
  SFC_IC0003: failed("operator_not_found", false, "The recipient's number is not an M-Pesa number."),
  ...ORGANISATION_FAILURES,
} as const satisfies Record<string, Entry>;

const REVERSAL = {
  "0": { outcome: "succeeded" },
  "1": { outcome: "insufficient_funds" },
  R000001: { outcome: "already_reversed" },
  R000002: failed("original_transaction_invalid", false, "M-Pesa does not know the receipt to reverse."),
  ...ORGANISATION_FAILURES,
} as const satisfies Record<string, Entry>;

const TRANSACTION_STATUS = {
  "0": { outcome: "succeeded" },
  "2032": { outcome: "not_found" },
  ...ORGANISATION_FAILURES,
} as const satisfies Record<string, Entry>;

const ACCOUNT_BALANCE = {
  "0": { outcome: "succeeded" },
  ...ORGANISATION_FAILURES,
} as const satisfies Record<string, Entry>;

const TABLES: Record<InitiatorOperation, Readonly<Record<string, Entry>>> = {
  b2c_payment: B2C,
  reversal: REVERSAL,
  transaction_status: TRANSACTION_STATUS,
  account_balance: ACCOUNT_BALANCE,
};

/** Every code each table knows (for tests and reports). */
export const KNOWN_INITIATOR_RESULT_CODES: Readonly<Record<InitiatorOperation, readonly string[]>> = {
  b2c_payment: Object.keys(B2C),
  reversal: Object.keys(REVERSAL),
  transaction_status: Object.keys(TRANSACTION_STATUS),
  account_balance: Object.keys(ACCOUNT_BALANCE),
};

/** What a ResultCode of `operation` means. Unknown codes are `{ outcome: "unknown" }`, never success. */
export function classifyInitiatorResult(
  operation: InitiatorOperation,
  code: string | number,
): InitiatorResultClassification {
  const normalized = normalizeResultCode(code);
  const table = TABLES[operation];
  const entry = Object.hasOwn(table, normalized) ? table[normalized] : undefined;
  if (entry === undefined) return { outcome: "unknown", code: normalized };
  switch (entry.outcome) {
    case "succeeded":
      return { outcome: "succeeded", code: "0" };
    case "insufficient_funds":
    case "already_reversed":
    case "not_found":
      return { outcome: entry.outcome, code: normalized };
    case "failed":
      return {
        outcome: "failed",
        code: normalized,
        reason: entry.reason,
        retryable: entry.retryable,
        description: entry.description,
      };
    default: {
      const _exhaustive: never = entry;
      return _exhaustive;
    }
  }
}
