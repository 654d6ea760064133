/**
 * Byte-for-byte replays of what public Daraja client libraries send: exact header lines (spelling
 * and order), each language's JSON encoder, and the UTC timestamps servers produce. Shared by the
 * STK and the B2C / reversal / status replays.
 */
import { request as httpRequest } from "node:http";
import { expect } from "vitest";
import { SANDBOX_PASSKEY } from "../../src/daraja/password.ts";
import { EMULATOR_CREDENTIALS } from "./emulator.ts";

export interface RawAnswer {
  status: number;
  contentType: string | undefined;
  json: Record<string, unknown> | undefined;
}

export type RawSend = (
  method: "GET" | "POST",
  path: string,
  headers: string[][],
  body?: string,
) => Promise<RawAnswer>;

/** Sends exactly these header lines (spelling and order kept) and this body, nothing else but Host. */
export function rawSender(baseUrl: string): RawSend {
  const { hostname, port, host } = new URL(baseUrl);
  return (method, path, headers, body) => {
    const raw = [["Host", host], ...headers];
    if (body !== undefined) raw.push(["Content-Length", String(Buffer.byteLength(body))]);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ hostname, port, method, path, headers: raw.flat(), agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            json: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>),
          });
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}

export const OAUTH = "/oauth/v1/generate?grant_type=client_credentials";

export const basic = () =>
  `Basic ${Buffer.from(`${EMULATOR_CREDENTIALS.consumerKey}:${EMULATOR_CREDENTIALS.consumerSecret}`).toString("base64")}`;

/** `YYYYMMDDHHmmss` in UTC: what the libraries send from a server whose clock is UTC. */
export const utcTimestamp = () =>
  new Date()
    .toISOString()
    .replace(/[^0-9]/g, "")
    .slice(0, -3);

export const password = (shortcode: string | number, timestamp: string) =>
  Buffer.from(`${shortcode}${SANDBOX_PASSKEY}${timestamp}`).toString("base64");

/** Python's `json.dumps` (flat objects): `", "` and `": "` separators. */
export const pythonJson = (body: Record<string, unknown>) =>
  `{${Object.entries(body)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(", ")}}`;
/** PHP's `json_encode` without flags escapes every slash. */
export const phpJson = (body: Record<string, unknown>) => JSON.stringify(body).replace(/\//g, "\\/");
/** Go's `json.Marshal` escapes <, > and & for HTML safety. */
export const goJson = (body: Record<string, unknown>) =>
  JSON.stringify(body).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

export function expectToken(answer: RawAnswer): string {
  expect(answer.status).toBe(200);
  expect(answer.json?.expires_in).toBe("3599");
  const token = answer.json?.access_token;
  expect(token).toMatch(/^[A-Za-z0-9]{28}$/);
  return token as string;
}
