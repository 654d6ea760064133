/**
 * Safaricom does not sign callbacks, so we sign the URL we give it: the CallBackURL carries our
 * transaction id and an HMAC-SHA256 of it under CALLBACK_SECRET. Daraja delivers the URL exactly as
 * given, query string intact (reference §4.1), so a callback that comes back with a valid signature
 * names the transaction it is about, even when the push response (with the CheckoutRequestID) was lost.
 *
 * The same signing serves every URL Daraja calls back (`signedUrl`, `verifySignature`): the STK
 * CallBackURL signs the transaction id; the ResultURL and QueueTimeOutURL of a payout or refund sign
 * `<kind>:<id>` (src/payouts/result-urls.ts).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Secret } from "../secret.ts";

export const CALLBACK_PATH = "/api/v1/payments/mpesa/callback";

export interface CallbackUrlConfig {
  publicBaseUrl: string;
  callbackSecret: Secret;
  /** MPESA_CALLBACK_URL: overrides the URL derived from PUBLIC_BASE_URL. */
  callbackUrl: string | null;
}

/** HMAC-SHA256(secret, subject), base64url: what a signed URL's `sig` carries. */
export function signatureOf(secret: Secret, subject: string): string {
  return createHmac("sha256", secret.reveal()).update(subject, "utf8").digest("base64url");
}

/** `<base>?<params>&sig=<signatureOf(secret, subject)>`; `base` may already carry a query. */
export function signedUrl(
  base: string,
  params: Readonly<Record<string, string>>,
  secret: Secret,
  subject: string,
): string {
  const separator = base.includes("?") ? "&" : "?";
  const query = Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join("&");
  return `${base}${separator}${query}&sig=${signatureOf(secret, subject)}`;
}

/** Timing-safe check that `signature` signs `subject` (bounded: at most 200 and 100 characters). */
export function verifySignature(
  secret: Secret,
  subject: string | undefined,
  signature: string | undefined,
): boolean {
  if (typeof subject !== "string" || typeof signature !== "string") return false;
  if (subject.length === 0 || subject.length > 200 || signature.length > 100) return false;
  const expected = Buffer.from(signatureOf(secret, subject), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length) return false;
  return timingSafeEqual(expected, given);
}

export function callbackSignature(secret: Secret, transactionId: string): string {
  return signatureOf(secret, transactionId);
}

/** `<base>?tx=<transactionId>&sig=<HMAC-SHA256(secret, transactionId) base64url>` */
export function signedCallbackUrl(config: CallbackUrlConfig, transactionId: string): string {
  const base = config.callbackUrl ?? `${config.publicBaseUrl.replace(/\/+$/, "")}${CALLBACK_PATH}`;
  return signedUrl(base, { tx: transactionId }, config.callbackSecret, transactionId);
}

/** Timing-safe check of a callback's `tx` and `sig` query parameters. */
export function verifyCallbackSignature(
  secret: Secret,
  transactionId: string | undefined,
  signature: string | undefined,
): boolean {
  if (typeof transactionId === "string" && transactionId.length > 100) return false;
  return verifySignature(secret, transactionId, signature);
}
