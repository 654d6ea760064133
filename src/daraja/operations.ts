/**
 * Every Daraja operation and what may be done after a call to it failed: the ONE table the
 * transport, the error mapping, the retry loop and the payment service read. Adding an API is one
 * entry here (the union lives in `errors.ts`; this map is exhaustive over it).
 *
 * Whatever the policy, a request Daraja refused because of the access token (404.001.03, 401.x) is
 * sent once more with a fresh token: Daraja refused it before doing anything.
 */
import type { DarajaOperation } from "./errors.ts";

export type ResendPolicy =
  /** Nothing is created (a token, a query): the client retries it with jittered backoff. */
  | "retry"
  /**
   * May create a prompt or move money, and Daraja has no idempotency key: sent once. When the
   * answer is lost the outcome is unknown and is settled by a query, never by sending again.
   */
  | "never"
  /**
   * Moves money, but Daraja refuses a repeated OriginatorConversationID: the caller may send it
   * again with the same id. Nothing resends it automatically.
   */
  | "same_id";

export type OperationPolicy =
  | { label: string; resend: "retry" }
  /** `settledBy`: the query that tells what became of a request whose answer was lost. */
  | { label: string; resend: "never" | "same_id"; settledBy: DarajaOperation };

export const DARAJA_OPERATIONS = {
  token: { label: "OAuth token request", resend: "retry" },
  stk_push: { label: "STK Push", resend: "never", settledBy: "stk_query" },
  stk_query: { label: "STK Push Query", resend: "retry" },
  b2c_payment: { label: "B2C payment", resend: "same_id", settledBy: "transaction_status" },
  reversal: { label: "Reversal", resend: "never", settledBy: "transaction_status" },
  transaction_status: { label: "Transaction Status query", resend: "retry" },
  account_balance: { label: "Account Balance query", resend: "retry" },
} as const satisfies Record<DarajaOperation, OperationPolicy>;

/** For messages: "STK Push", "B2C payment" … */
export function operationLabel(operation: DarajaOperation): string {
  return DARAJA_OPERATIONS[operation].label;
}

/** How an unknown outcome of `operation` is settled: "reconcile by STK Push Query". */
export function settledBy(operation: DarajaOperation): DarajaOperation | null {
  const policy: OperationPolicy = DARAJA_OPERATIONS[operation];
  return policy.resend === "retry" ? null : policy.settledBy;
}

/** The client may send the same request again by itself (backoff) after a transient failure. */
export function retriedAutomatically(operation: DarajaOperation): boolean {
  return DARAJA_OPERATIONS[operation].resend === "retry";
}

/**
 * A request that reached Daraja may have acted (created a prompt, moved money) even though we got
 * no readable answer: such a failure is `outcome_unknown`, not a refusal.
 */
export function mayActOnceSent(operation: DarajaOperation): boolean {
  return DARAJA_OPERATIONS[operation].resend !== "retry";
}
