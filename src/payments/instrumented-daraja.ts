/**
 * Times every Daraja call the payment service makes (`daraja_request_duration_seconds`, by
 * operation and outcome) without the Daraja client knowing about our metrics.
 */
import type { DarajaApi } from "../daraja/contract.ts";
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

export function instrumentDaraja(daraja: DarajaApi, metrics: Metrics | undefined): DarajaApi {
  if (!metrics) return daraja;
  async function timed<T>(operation: DarajaOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      observeDarajaCall(metrics as Metrics, operation, "ok", (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      observeDarajaCall(
        metrics as Metrics,
        operation,
        outcomeOf(error),
        (performance.now() - started) / 1000,
      );
      throw error;
    }
  }
  return {
    stkPush: (input) => timed("stk_push", () => daraja.stkPush(input)),
    stkQuery: (checkoutRequestId) => timed("stk_query", () => daraja.stkQuery(checkoutRequestId)),
  };
}
