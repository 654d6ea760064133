/**
 * The `SecurityCredential` of B2C, Reversal, Transaction Status and Account Balance: the initiator's
 * password encrypted with M-Pesa's public certificate (RSA, PKCS#1 v1.5 padding), base64 — what the
 * Daraja portal's "Test Credentials" page generates (reference §8). node:crypto only.
 *
 * The password and the credential are credentials: they travel as `Secret`s, and no error message
 * here ever contains either.
 */
import { constants, publicEncrypt, X509Certificate } from "node:crypto";
import { Secret } from "../secret.ts";

export type SecurityCredentialProblem =
  | "password_missing"
  | "password_too_long"
  | "certificate_invalid"
  | "certificate_not_rsa";

export class SecurityCredentialError extends Error {
  readonly problem: SecurityCredentialProblem;
  constructor(problem: SecurityCredentialProblem, message: string) {
    super(message);
    this.name = "SecurityCredentialError";
    this.problem = problem;
  }
}

/** PKCS#1 v1.5 encryption pads with at least 11 bytes: a 2048-bit key takes up to 245 bytes. */
const PKCS1_OVERHEAD_BYTES = 11;

/** Reads a PEM (or base64 DER, as some portals hand it out) X.509 certificate. */
export function readCertificate(certificate: string | Buffer): X509Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certificate);
  } catch {
    try {
      const der = Buffer.from(String(certificate).replace(/\s+/g, ""), "base64");
      x509 = new X509Certificate(der);
    } catch {
      throw new SecurityCredentialError(
        "certificate_invalid",
        "the M-Pesa certificate is not an X.509 certificate",
      );
    }
  }
  if (x509.publicKey.asymmetricKeyType !== "rsa")
    throw new SecurityCredentialError(
      "certificate_not_rsa",
      "the M-Pesa certificate does not hold an RSA key",
    );
  return x509;
}

/**
 * base64(RSA-PKCS#1-v1.5(password)) with the certificate's public key. Each call gives a different
 * value (the padding is random); every one of them decrypts to the same password.
 */
export function encryptSecurityCredential(password: Secret | string, certificate: string | Buffer): Secret {
  const plain = Buffer.from(password instanceof Secret ? password.reveal() : password, "utf8");
  if (plain.length === 0)
    throw new SecurityCredentialError("password_missing", "the initiator password is empty");
  const key = readCertificate(certificate).publicKey;
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (plain.length > modulusBytes - PKCS1_OVERHEAD_BYTES)
    throw new SecurityCredentialError(
      "password_too_long",
      `the initiator password is longer than the certificate's key can encrypt (${modulusBytes - PKCS1_OVERHEAD_BYTES} bytes)`,
    );
  const encrypted = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, plain);
  return new Secret(encrypted.toString("base64"));
}
