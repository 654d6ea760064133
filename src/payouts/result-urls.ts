/**
 * Where Daraja POSTs what became of a payout or refund: a ResultURL and a QueueTimeOutURL per API
 * (B2C, Reversal, Transaction Status), each signed like the STK CallBackURL — the item's kind and
 * id in the query, and an HMAC of `<kind>:<id>` under CALLBACK_SECRET (payments/callback-url.ts).
 * Daraja delivers them exactly as given, so a result with a valid signature names its item.
 */
import type { ResultUrls } from "../daraja/initiator-request.ts";
import type { PayoutKind, PayoutResultRoute } from "../db/schema.ts";
import { signedUrl, verifySignature } from "../payments/callback-url.ts";
import type { Secret } from "../secret.ts";
import type { ItemRef } from "./payout.repository.ts";

export const RESULT_BASE_PATH = "/api/v1/payments/mpesa";

/** The route of each notice, under RESULT_BASE_PATH. */
export const RESULT_ROUTES: Readonly<Record<PayoutResultRoute, string>> = {
  b2c_result: "/b2c/result",
  b2c_timeout: "/b2c/timeout",
  reversal_result: "/reversal/result",
  reversal_timeout: "/reversal/timeout",
  status_result: "/status/result",
  status_timeout: "/status/timeout",
};

export type ResultApi = "b2c" | "reversal" | "status";

export interface ResultUrlConfig {
  publicBaseUrl: string;
  secret: Secret;
}

const subjectOf = (ref: ItemRef) => `${ref.kind}:${ref.id}`;

/** The ResultURL and QueueTimeOutURL of one request about `ref`. */
export function resultUrlsFor(config: ResultUrlConfig, api: ResultApi, ref: ItemRef): ResultUrls {
  const base = `${config.publicBaseUrl.replace(/\/+$/, "")}${RESULT_BASE_PATH}`;
  const url = (route: PayoutResultRoute) =>
    signedUrl(
      `${base}${RESULT_ROUTES[route]}`,
      { kind: ref.kind, id: ref.id },
      config.secret,
      subjectOf(ref),
    );
  return { resultUrl: url(`${api}_result`), queueTimeoutUrl: url(`${api}_timeout`) };
}

const isKind = (value: unknown): value is PayoutKind => value === "payout" || value === "refund";

/** The item a result's query names, when its signature is ours; null otherwise. */
export function verifiedItem(
  secret: Secret,
  query: { kind?: string | undefined; id?: string | undefined; sig?: string | undefined },
): ItemRef | null {
  if (!isKind(query.kind) || typeof query.id !== "string" || query.id.length > 100) return null;
  const ref: ItemRef = { kind: query.kind, id: query.id };
  return verifySignature(secret, subjectOf(ref), query.sig) ? ref : null;
}
