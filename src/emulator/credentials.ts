/**
 * SecurityCredential checks: the credential must decrypt, with the emulator's private key, to the
 * password of the named initiator. A wrong one is not refused synchronously — Daraja accepts the
 * request and its result says `2001 The initiator information is invalid.`, as here.
 */
import { constants, privateDecrypt } from "node:crypto";
import type { CredentialKeys } from "./certificate.ts";

/** An API operator the emulator knows: its user name and (plain) password. */
export interface Initiator {
  name: string;
  password: string;
}

/** Safaricom's sandbox operator name, and the password its portal has long shown for it. */
export const DEFAULT_INITIATOR: Initiator = { name: "testapi", password: "Safaricom999!*!" };

/**
 * RSA PKCS#1 v1.5 decryption done by hand on top of a raw RSA operation: Node refuses PKCS#1 v1.5
 * private decryption on OpenSSL builds without implicit rejection (a timing-attack guard that does
 * not matter to an emulator). Returns null for anything that is not a well-padded ciphertext.
 */
export function decryptSecurityCredential(credential: string, keys: CredentialKeys): string | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(credential) || credential.length > 2048) return null;
  const bytes = Buffer.from(credential, "base64");
  const modulusBytes = Math.ceil((keys.privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (bytes.length !== modulusBytes) return null;
  let block: Buffer;
  try {
    block = privateDecrypt({ key: keys.privateKey, padding: constants.RSA_NO_PADDING }, bytes);
  } catch {
    return null;
  }
  // 0x00 0x02, at least eight non-zero padding bytes, 0x00, the message.
  if (block[0] !== 0x00 || block[1] !== 0x02) return null;
  const separator = block.indexOf(0x00, 2);
  if (separator < 10) return null;
  return block.subarray(separator + 1).toString("utf8");
}

/** True when `credential` is the named initiator's password encrypted with our certificate. */
export function credentialMatches(
  initiatorName: string,
  credential: string,
  initiators: ReadonlyMap<string, Initiator>,
  keys: CredentialKeys,
): boolean {
  const initiator = initiators.get(initiatorName);
  if (initiator === undefined) return false;
  return decryptSecurityCredential(credential, keys) === initiator.password;
}
