/**
 * Times every Daraja call the payment service and the payout submitter make
 * (`daraja_request_duration_seconds`, by operation and outcome) without the Daraja client knowing
 * about our metrics.
 */
import type { DarajaApi, DarajaPayoutsApi } from "../daraja/contract.ts";
import { DarajaError, type DarajaOperation } from "../daraja/errors.ts";
import { type DarajaOutcome, type Metrics, observeDarajaCall } from "../metrics.ts";

export function outcomeOf(error: unknown): DarajaOutcome {
  if (!(error instanceof DarajaError)) return "error";
  switch (error.kind) {
    case "timeout":
      return "timeout";
    case "outcome_unknown":
      return error.underlying === "timeout" ? "timeout" : "error";
    case "validation":
    case "authentication":
    case "rate_limited":
    case "subscriber_locked":
    case "wrong_credentials":
    case "merchant_not_found":
    case "rejected":
      return "rejected";
    case "server":
    case "network":
    case "unexpected_response":
      return "error";
    default: {
      const _exhaustive: never = error.kind;
      return _exhaustive;
    }
  }
}

function timer(metrics: Metrics) {
  return async function timed<T>(operation: DarajaOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      observeDarajaCall(metrics, operation, "ok", (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      observeDarajaCall(metrics, operation, outcomeOf(error), (performance.now() - started) / 1000);
      throw error;
    }
  };
}

export function instrumentPayoutsDaraja(
  daraja: DarajaPayoutsApi,
  metrics: Metrics | undefined,
): DarajaPayoutsApi {
  if (!metrics) return daraja;
  const timed = timer(metrics);
  return {
    b2cPayment: (input) => timed("b2c_payment", () => daraja.b2cPayment(input)),
    reversal: (input) => timed("reversal", () => daraja.reversal(input)),
    transactionStatus: (input) => timed("transaction_status", () => daraja.transactionStatus(input)),
    accountBalance: (input) => timed("account_balance", () => daraja.accountBalance(input)),
  };
}

export function instrumentDaraja(daraja: DarajaApi, metrics: Metrics | undefined): DarajaApi {
  if (!metrics) return daraja;
  const timed = timer(metrics);
  const congestion = daraja.congestion?.bind(daraja);
  return {
    stkPush: (input) => timed("stk_push", () => daraja.stkPush(input)),
    stkQuery: (checkoutRequestId) => timed("stk_query", () => daraja.stkQuery(checkoutRequestId)),
    ...(congestion ? { congestion } : {}),
  };
}
