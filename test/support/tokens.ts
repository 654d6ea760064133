/**
 * Session tokens made by hand, for suites that try what the API must refuse: expired, signed with
 * another secret or algorithm, unsigned (`alg: none`), a real token with its signature or claims
 * altered.
 */
import { createHmac } from "node:crypto";

export const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT over `claims`, signed with HMAC under `secret` (HS256 unless the header says HS384/HS512). */
export function forgeToken(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = {},
): string {
  const head = { alg: "HS256", typ: "JWT", ...header };
  const hash = { HS384: "sha384", HS512: "sha512" }[String(head.alg)] ?? "sha256";
  const signed = `${base64url(head)}.${base64url(claims)}`;
  return `${signed}.${createHmac(hash, secret).update(signed).digest("base64url")}`;
}

/** An unsigned token (`alg: none`) claiming whatever it likes. */
export const unsignedToken = (claims: Record<string, unknown>) =>
  `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;

/** A real token whose signature has been altered (one character of it changed). */
export function withAlteredSignature(token: string): string {
  const [head, body, signature = ""] = token.split(".");
  const first = signature[0] === "A" ? "B" : "A";
  return `${head}.${body}.${first}${signature.slice(1)}`;
}

/** A real token whose claims were changed and whose signature was kept. */
export function withAlteredClaims(token: string, change: Record<string, unknown>): string {
  const [head, body = "", signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>;
  return `${head}.${base64url({ ...claims, ...change })}.${signature}`;
}
