/**
 * Test doubles for the Daraja client: a scripted `fetch`, a tiny Daraja on 127.0.0.1 (node:http),
 * and fixture loading. Replies are scripted per call so each test states exactly what Daraja says.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { ManualClock } from "../../../src/clock.ts";
import { createDarajaClient, type DarajaClientOptions } from "../../../src/daraja/client.ts";
import type { StkPushInput } from "../../../src/daraja/contract.ts";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "../../../src/daraja/password.ts";
import type { Msisdn } from "../../../src/daraja/phone.ts";
import type { FetchLike } from "../../../src/daraja/transport.ts";

export const TOKEN_PATH = "/oauth/v1/generate?grant_type=client_credentials";
export const PUSH_PATH = "/mpesa/stkpush/v1/processrequest";
export const QUERY_PATH = "/mpesa/stkpushquery/v1/query";

export interface Exchange {
  method: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Reply =
  | { status: number; json?: unknown; text?: string; contentType?: string }
  | { hang: true }
  | { fail: Error };

export type Handler = (exchange: Exchange, calls: readonly Exchange[]) => Reply | Promise<Reply>;

export const json = (status: number, body: unknown): Reply => ({ status, json: body });

let tokenCounter = 0;
/** A fresh 28-character-ish token each time, like Daraja's. */
export function tokenReply(expiresIn: string | number = "3599"): Reply & { token: string } {
  tokenCounter += 1;
  const token = `tok${String(tokenCounter).padStart(4, "0")}AbCdEfGhIjKlMnOpQrSt`;
  return { status: 200, json: { access_token: token, expires_in: expiresIn }, token };
}

export const pushAccepted = (checkout = "ws_CO_15012026120000123708374149"): Reply =>
  json(200, {
    MerchantRequestID: "2654-4b64-97ff-b827b542881d3130",
    CheckoutRequestID: checkout,
    ResponseCode: "0",
    ResponseDescription: "Success. Request accepted for processing",
    CustomerMessage: "Success. Request accepted for processing",
  });

export const envelope = (
  status: number,
  errorCode: string,
  errorMessage: string,
  requestId = "2ba8-4165-beca-292db11f9ef8358609",
) => json(status, { requestId, errorCode, errorMessage });

/** Routes OAuth to fresh tokens unless `handler` answers it; everything else to `handler`. */
export function daraja(handler: Handler, options: { tokens?: Handler } = {}): Handler {
  return (exchange, calls) => {
    if (exchange.path.startsWith("/oauth/"))
      return options.tokens ? options.tokens(exchange, calls) : tokenReply();
    return handler(exchange, calls);
  };
}

function toResponse(reply: Exclude<Reply, { hang: true } | { fail: Error }>): Response {
  const text = reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
  const contentType =
    reply.contentType ?? (reply.json === undefined ? "text/plain" : "application/json;charset=UTF-8");
  const nullBody = reply.status === 204 || reply.status === 304;
  return new Response(nullBody ? null : text, {
    status: reply.status,
    headers: { "content-type": contentType },
  });
}

/** An injected fetch that records every exchange and answers from `handler`. */
export function scriptedFetch(handler: Handler): { fetch: FetchLike; calls: Exchange[] } {
  const calls: Exchange[] = [];
  const fetch: FetchLike = async (url, init) => {
    const parsed = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const exchange: Exchange = {
      method: init.method ?? "GET",
      path: parsed.pathname + parsed.search,
      headers,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(exchange);
    const reply = await handler(exchange, calls);
    if ("fail" in reply) throw reply.fail;
    if ("hang" in reply) {
      return new Promise<Response>((_, reject) => {
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      });
    }
    return toResponse(reply);
  };
  return { fetch, calls };
}

/** A Daraja on 127.0.0.1:0 answering from `handler`; `hang` replies never answer. */
export async function startFakeDaraja(
  handler: Handler,
): Promise<{ baseUrl: string; calls: Exchange[]; close: () => Promise<void> }> {
  const calls: Exchange[] = [];
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    return raw === "" ? undefined : JSON.parse(raw);
  };
  const server = createServer(async (req, res) => {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers))
      if (typeof value === "string") headers[key] = value;
    const exchange: Exchange = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers,
      body: await readBody(req),
    };
    calls.push(exchange);
    const reply = await handler(exchange, calls);
    if ("hang" in reply) return; // never answer; the client must time out
    if ("fail" in reply) {
      req.socket.destroy();
      return;
    }
    const response = toResponse(reply);
    res.writeHead(reply.status, { "content-type": response.headers.get("content-type") ?? "text/plain" });
    res.end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Clock, recorded sleeps that move the clock, and a client with test defaults. */
export function harness(handler: Handler, overrides: Partial<DarajaClientOptions> = {}) {
  const clock = new ManualClock("2026-01-15T09:00:00.000Z");
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  const { fetch, calls } = scriptedFetch(handler);
  const client = createDarajaClient({
    baseUrl: "http://127.0.0.1:9",
    consumerKey: "test-consumer-key",
    consumerSecret: "test-consumer-secret",
    shortcode: SANDBOX_SHORTCODE,
    passkey: SANDBOX_PASSKEY,
    transactionType: "CustomerPayBillOnline",
    clock,
    fetch,
    rateLimit: null,
    random: () => 0.5,
    sleep,
    ...overrides,
  });
  const pushesSent = () => calls.filter((c) => c.path === PUSH_PATH).length;
  const queriesSent = () => calls.filter((c) => c.path === QUERY_PATH).length;
  const tokensSent = () => calls.filter((c) => c.path === TOKEN_PATH).length;
  return { client, clock, sleeps, calls, pushesSent, queriesSent, tokensSent };
}

export const validPush: StkPushInput = {
  phoneNumber: "254708374149" as Msisdn,
  amount: 500,
  accountReference: "BK12345",
  transactionDesc: "Booking fee",
  callbackUrl: "https://malipo.example/mpesa/callback/pay_123?sig=abc",
};

// ---- fixtures -------------------------------------------------------------------------------------

/** `../shared/daraja/fixtures` next to the repository, or `DARAJA_FIXTURES_DIR`. */
export const FIXTURES_DIR =
  process.env.DARAJA_FIXTURES_DIR ??
  fileURLToPath(new URL("../../../../shared/daraja/fixtures/", import.meta.url));

export function fixtureNames(prefix: string): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".json"))
    .sort();
}

export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURES_DIR.replace(/\/+$/, "")}/${name}`, "utf8");
}

export function fixture(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** Daraja's HTTP status mirrors the errorCode's first three digits. */
export function statusForErrorCode(code: string): number {
  const status = Number(code.slice(0, 3));
  return Number.isInteger(status) && status >= 100 && status < 600 ? status : 500;
}
