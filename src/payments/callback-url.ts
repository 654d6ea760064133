/**
 * Safaricom does not sign callbacks, so we sign the URL we give it: the CallBackURL carries our
 * transaction id and an HMAC-SHA256 of it under CALLBACK_SECRET. Daraja delivers the URL exactly as
 * given, query string intact (reference §4.1), so a callback that comes back with a valid signature
 * names the transaction it is about, even when the push response (with the CheckoutRequestID) was lost.
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

export function callbackSignature(secret: Secret, transactionId: string): string {
  return createHmac("sha256", secret.reveal()).update(transactionId, "utf8").digest("base64url");
}

/** `<base>?tx=<transactionId>&sig=<HMAC-SHA256(secret, transactionId) base64url>` */
export function signedCallbackUrl(config: CallbackUrlConfig, transactionId: string): string {
  const base = config.callbackUrl ?? `${config.publicBaseUrl.replace(/\/+$/, "")}${CALLBACK_PATH}`;
  const separator = base.includes("?") ? "&" : "?";
  const sig = callbackSignature(config.callbackSecret, transactionId);
  return `${base}${separator}tx=${encodeURIComponent(transactionId)}&sig=${sig}`;
}

/** Timing-safe check of a callback's `tx` and `sig` query parameters. */
export function verifyCallbackSignature(
  secret: Secret,
  transactionId: string | undefined,
  signature: string | undefined,
): boolean {
  if (typeof transactionId !== "string" || typeof signature !== "string") return false;
  if (transactionId.length === 0 || transactionId.length > 100 || signature.length > 100) return false;
  const expected = Buffer.from(callbackSignature(secret, transactionId), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length) return false;
  return timingSafeEqual(expected, given);
}
