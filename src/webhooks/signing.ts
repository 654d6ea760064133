/**
 * Standard Webhooks signing (https://www.standardwebhooks.com), with the reference library rather
 * than our own HMAC: `webhook-signature` is `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one
 * per valid secret, separated by spaces, so a receiver verifies with whichever secret it holds
 * while a rotation is under way.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

const PREFIX = "whsec_";
/** 24 random bytes: the size the scheme's own libraries generate. */
const SECRET_BYTES = 24;

/** A new signing secret, `whsec_<base64 of 24 random bytes>`. */
export function generateSecret(): string {
  return `${PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/** True for a `whsec_…` secret whose key decodes to at least 16 bytes. */
export function isSecret(value: string): boolean {
  if (!value.startsWith(PREFIX)) return false;
  const key = value.slice(PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, "base64").length >= 16;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The three headers for one request: `at` is the time of this attempt (whole seconds), `secrets`
 * every secret valid now, newest first.
 */
export function signatureHeaders(input: {
  id: string;
  at: Date;
  body: string;
  secrets: readonly string[];
}): SignedHeaders {
  if (input.secrets.length === 0) throw new Error("a webhook needs at least one secret to be signed");
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.id, input.at, input.body));
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(Math.floor(input.at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}

/** The secrets that sign at `now`: the current one, and the previous one while its overlap lasts. */
export function validSecrets(
  endpoint: { secret: string; previous_secret: string | null; previous_secret_expires_at: string | null },
  now: Date,
): string[] {
  const previousValid =
    endpoint.previous_secret !== null &&
    endpoint.previous_secret_expires_at !== null &&
    new Date(endpoint.previous_secret_expires_at).getTime() > now.getTime();
  return previousValid ? [endpoint.secret, endpoint.previous_secret as string] : [endpoint.secret];
}
