/**
 * The emulator's own RSA key pair and a self-signed X.509 certificate for it, made with node:crypto
 * alone (which can sign but not build certificates, hence the few lines of DER below). Clients
 * encrypt the initiator password with this certificate, exactly as they do with Safaricom's, and the
 * emulator decrypts the SecurityCredential with the private key.
 */
import { createPrivateKey, generateKeyPair, type KeyObject, sign } from "node:crypto";

export interface CredentialKeys {
  privateKey: KeyObject;
  /** PEM `-----BEGIN CERTIFICATE-----`, served at `GET /__emulator/certificate`. */
  certificatePem: string;
}

// --- the smallest DER encoder a certificate needs ------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer) =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const nul = () => Buffer.from([0x05, 0x00]);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, "utf8"));
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);

function integer(bytes: Buffer): Buffer {
  // Positive: a leading 0 when the high bit is set.
  return tlv(
    0x02,
    bytes[0] !== undefined && bytes[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes,
  );
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const out = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime `YYMMDDHHMMSSZ` (valid to 2049). */
function utcTime(instant: Date): Buffer {
  const iso = instant.toISOString();
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(text, "ascii"));
}

const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const COMMON_NAME = "2.5.4.3";
const ORGANISATION = "2.5.4.10";

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(ORGANISATION), utf8("Daraja emulator"))),
    set(sequence(oid(COMMON_NAME), utf8(commonName))),
  );
}

/** A self-signed certificate for `keys`, valid from yesterday for ten years. */
export function selfSignedCertificate(
  privateKey: KeyObject,
  publicKeyDer: Buffer,
  serial: Buffer,
  now: Date,
): string {
  const algorithm = sequence(oid(SHA256_WITH_RSA), nul());
  const subject = name("Daraja emulator M-Pesa API certificate");
  const day = 24 * 60 * 60 * 1000;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    subject,
    sequence(utcTime(new Date(now.getTime() - day)), utcTime(new Date(now.getTime() + 3650 * day))),
    subject,
    publicKeyDer,
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

function generate(): Promise<CredentialKeys> {
  return new Promise((resolve, reject) => {
    generateKeyPair("rsa", { modulusLength: 2048 }, (error, publicKey, privateKey) => {
      if (error) return reject(error);
      const spki = publicKey.export({ type: "spki", format: "der" });
      const serial = Buffer.from(publicKey.export({ format: "jwk" }).n ?? "01", "base64url").subarray(0, 8);
      resolve({ privateKey, certificatePem: selfSignedCertificate(privateKey, spki, serial, new Date()) });
    });
  });
}

let shared: Promise<CredentialKeys> | null = null;

/**
 * The key pair of this process, generated once (about 0.1 s) and shared by every emulator in it;
 * pass `credentialKeys` to `createEmulator` for one of your own.
 */
export function processCredentialKeys(): Promise<CredentialKeys> {
  shared ??= generate();
  return shared;
}

/** Keys from a PEM private key and its certificate (e.g. a fixed pair kept by a test suite). */
export function credentialKeysFromPem(privateKeyPem: string, certificatePem: string): CredentialKeys {
  return { privateKey: createPrivateKey(privateKeyPem), certificatePem };
}

/** A fresh key pair, not the shared one (tests of a wrong certificate). */
export const generateCredentialKeys = generate;
