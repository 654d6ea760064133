/**
 * One typed shape for what Daraja says about a payment, whichever way it came (callback, STK Query
 * by the reconciler, STK Query by the status endpoint), and its translation into a state-machine
 * event. Codes are classified by the one table in `daraja/result-codes.ts`; an unknown code becomes
 * `unrecognised`, never success.
 */
import type { StkCallback, StkCallbackMetadata, StkQueryResult } from "../daraja/contract.ts";
import { normalizeMsisdn } from "../daraja/phone.ts";
import { classifyResultCode } from "../daraja/result-codes.ts";
import type { PaymentEvent } from "./state-machine.ts";

export type DarajaResult =
  | { kind: "final"; resultCode: string; resultDesc: string; metadata: StkCallbackMetadata | null }
  | { kind: "not_final"; resultDesc: string };

/** Where a result came from; recorded on every event. */
export type ResultSource = "callback" | "query" | "status";

export function resultFromCallback(cb: StkCallback): DarajaResult {
  return { kind: "final", resultCode: cb.resultCode, resultDesc: cb.resultDesc, metadata: cb.metadata };
}

export function resultFromQuery(q: StkQueryResult): DarajaResult {
  switch (q.kind) {
    case "final":
      return { kind: "final", resultCode: q.resultCode, resultDesc: q.resultDesc, metadata: null };
    case "not_final":
      return { kind: "not_final", resultDesc: q.resultDesc };
    default: {
      const _exhaustive: never = q;
      return _exhaustive;
    }
  }
}

export function eventFromResult(result: DarajaResult): PaymentEvent {
  if (result.kind === "not_final") return { type: "not_final", resultDesc: result.resultDesc };
  const classified = classifyResultCode(result.resultCode);
  switch (classified.outcome) {
    case "paid": {
      const meta = result.metadata;
      return {
        type: "paid",
        facts: {
          resultCode: classified.code,
          resultDesc: result.resultDesc,
          receipt: meta?.mpesaReceiptNumber ?? null,
          amount: meta?.amount ?? null,
          // A masked or unreadable number cannot be compared: treat it as not reported.
          phone: meta?.phoneNumber ? normalizeMsisdn(meta.phoneNumber) : null,
          transactionDate: meta?.transactionDate ?? null,
        },
      };
    }
    case "failed":
      return {
        type: "failed",
        resultCode: classified.code,
        resultDesc: result.resultDesc,
        reason: classified.customerMessage,
      };
    case "not_final":
      return { type: "not_final", resultDesc: result.resultDesc };
    case "unknown":
      return { type: "unrecognised", resultCode: classified.code, resultDesc: result.resultDesc };
    default: {
      const _exhaustive: never = classified;
      return _exhaustive;
    }
  }
}

/** True for a callback/query result that says "paid" (ResultCode 0). */
export function isPaidResult(result: DarajaResult): boolean {
  return result.kind === "final" && classifyResultCode(result.resultCode).outcome === "paid";
}
