/**
 * The initiator variables of `loadConfig`: who sends money out (B2C, Reversal) and asks Transaction
 * Status. Required live; in emulator mode the emulator's operator, its password encrypted at start-up
 * with the emulator's own certificate (src/initiator.ts).
 */
import type { Reader } from "./config-reader.ts";
import { DEFAULT_INITIATOR } from "./emulator/credentials.ts";
import { Secret } from "./secret.ts";

/**
 * Who sends money out. The SecurityCredential is either given as the Daraja portal generated it, or
 * made at start-up by encrypting `password` with the certificate at `certificatePath` (in emulator
 * mode without a path: the emulator's own certificate).
 */
export interface InitiatorConfig {
  /** MPESA_B2C_SHORTCODE: the shortcode payouts leave from (often not the paybill). */
  b2cShortcode: string;
  name: string;
  securityCredential: Secret | null;
  password: Secret | null;
  certificatePath: string | null;
}

/**
 * MPESA_B2C_SHORTCODE, MPESA_INITIATOR_NAME, and MPESA_SECURITY_CREDENTIAL or MPESA_INITIATOR_PASSWORD
 * + MPESA_CERTIFICATE_PATH: required live; in emulator mode the emulator's operator and certificate.
 */
export function readInitiator(
  r: Reader,
  { live, needed, shortcode }: { live: boolean; needed: string; shortcode: string },
): InitiatorConfig {
  const b2cShortcode = live
    ? r.required("MPESA_B2C_SHORTCODE", `${needed} (the shortcode payouts are sent from)`)
    : r.string("MPESA_B2C_SHORTCODE", shortcode);
  if (b2cShortcode && !/^\d{5,7}$/.test(b2cShortcode))
    r.problems.push(`MPESA_B2C_SHORTCODE must be 5 to 7 digits (got "${b2cShortcode}")`);
  const name = live
    ? r.required("MPESA_INITIATOR_NAME", `${needed} (the API operator that sends payouts)`)
    : r.string("MPESA_INITIATOR_NAME", DEFAULT_INITIATOR.name);
  if (name && !/^[A-Za-z0-9_.@-]{1,64}$/.test(name))
    r.problems.push("MPESA_INITIATOR_NAME must be the API operator's user name (letters, digits, _ . @ -)");
  const credential = r.raw("MPESA_SECURITY_CREDENTIAL");
  const password = r.raw("MPESA_INITIATOR_PASSWORD");
  const certificatePath = r.raw("MPESA_CERTIFICATE_PATH") ?? null;
  if (credential !== undefined && (password !== undefined || certificatePath !== null))
    r.problems.push(
      "Set MPESA_SECURITY_CREDENTIAL, or MPESA_INITIATOR_PASSWORD with MPESA_CERTIFICATE_PATH, not both",
    );
  else if (credential !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(credential))
    r.problems.push("MPESA_SECURITY_CREDENTIAL must be the base64 text the Daraja portal generated");
  else if (credential === undefined && password === undefined && certificatePath !== null)
    r.problems.push("MPESA_CERTIFICATE_PATH needs MPESA_INITIATOR_PASSWORD (the password it encrypts)");
  else if (credential === undefined && live && (password === undefined || certificatePath === null))
    r.problems.push(
      password === undefined
        ? `MPESA_SECURITY_CREDENTIAL is required ${needed} (or MPESA_INITIATOR_PASSWORD with MPESA_CERTIFICATE_PATH)`
        : `MPESA_CERTIFICATE_PATH is required with MPESA_INITIATOR_PASSWORD ${needed} (M-Pesa's public certificate)`,
    );
  return {
    b2cShortcode,
    name,
    securityCredential: credential === undefined ? null : new Secret(credential),
    password:
      credential !== undefined ? null : new Secret(password ?? (live ? "" : DEFAULT_INITIATOR.password)),
    certificatePath,
  };
}
