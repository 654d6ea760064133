/**
 * Test helpers around the Daraja emulator: start one on 127.0.0.1 port 0 with compressed time,
 * build Daraja request bodies, call it with plain fetch, and receive its callbacks.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { EMULATOR_DEFAULT_CONSUMER_KEY, EMULATOR_DEFAULT_CONSUMER_SECRET } from "../../src/config.ts";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE, stkPassword } from "../../src/daraja/password.ts";
import { encryptSecurityCredential } from "../../src/daraja/security-credential.ts";
import { toDarajaTimestamp } from "../../src/daraja/timestamp.ts";
import {
  createEmulator,
  DEFAULT_INITIATOR,
  type Emulator,
  type EmulatorOptions,
} from "../../src/emulator/index.ts";

export const EMULATOR_CREDENTIALS = {
  consumerKey: EMULATOR_DEFAULT_CONSUMER_KEY,
  consumerSecret: EMULATOR_DEFAULT_CONSUMER_SECRET,
  shortcode: SANDBOX_SHORTCODE,
  passkey: SANDBOX_PASSKEY,
} as const;

export interface TestEmulator {
  emulator: Emulator;
  baseUrl: string;
  close: () => Promise<void>;
}

/**
 * An emulator on 127.0.0.1:0 where the 60 s prompt timeout lasts 0.6 s (timeScale 0.01). A lost
 * push response closes the connection at once (`responseLostHoldMs: 0`) so it does not eat into
 * the short prompt window; tests of the silent hold set it themselves.
 */
export async function startTestEmulator(overrides: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await createEmulator({
    timeScale: 0.01,
    seed: "test",
    responseLostHoldMs: 0,
    ...overrides,
  });
  const baseUrl = await emulator.listen(0, "127.0.0.1");
  return { emulator, baseUrl, close: () => emulator.close() };
}

export function basicAuth(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;
}

export async function fetchToken(
  baseUrl: string,
  key: string = EMULATOR_CREDENTIALS.consumerKey,
  secret: string = EMULATOR_CREDENTIALS.consumerSecret,
): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
    headers: { Authorization: basicAuth(key, secret) },
  });
  if (response.status !== 200) throw new Error(`token request failed with ${response.status}`);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** A valid STK Push body (the docs' sample shape) for `phone`; override any field. */
export function stkPushBody(
  phone: string | number = "254708374149",
  overrides: Record<string, unknown> = {},
  now: Date = new Date(),
): Record<string, unknown> {
  const timestamp = toDarajaTimestamp(now);
  return {
    BusinessShortCode: 174379,
    Password: stkPassword(SANDBOX_SHORTCODE, SANDBOX_PASSKEY, timestamp),
    Timestamp: timestamp,
    TransactionType: "CustomerPayBillOnline",
    Amount: "500",
    PartyA: String(phone),
    PartyB: "174379",
    PhoneNumber: phone,
    CallBackURL: "https://malipo.example/mpesa/callback",
    AccountReference: "BK12345",
    TransactionDesc: "Booking fee",
    ...overrides,
  };
}

export function stkQueryBody(checkoutRequestId: string, now: Date = new Date()): Record<string, unknown> {
  const timestamp = toDarajaTimestamp(now);
  return {
    BusinessShortCode: "174379",
    Password: stkPassword(SANDBOX_SHORTCODE, SANDBOX_PASSKEY, timestamp),
    Timestamp: timestamp,
    CheckoutRequestID: checkoutRequestId,
  };
}

export interface DarajaAnswer {
  status: number;
  contentType: string | null;
  text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: Record<string, unknown> | undefined;
}

/** POSTs JSON with a bearer token and reads the answer whatever it is. */
export async function darajaPost(
  baseUrl: string,
  path: string,
  token: string | null,
  body: unknown,
  headers: Record<string, string> = { "Content-Type": "application/json" },
): Promise<DarajaAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { ...headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return readAnswer(response);
}

export async function readAnswer(response: Response): Promise<DarajaAnswer> {
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), text, json };
}

export interface ReceivedCallback {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  receivedAt: number;
}

export interface CallbackReceiver {
  /** The receiver's URL for `path` (e.g. "/cb/pay_1?sig=x"). */
  url(path?: string): string;
  received: ReceivedCallback[];
  waitFor(predicate: (c: ReceivedCallback) => boolean, timeoutMs?: number): Promise<ReceivedCallback>;
  close(): Promise<void>;
}

/** A tiny HTTP receiver on 127.0.0.1:0 that records every request; `answer` chooses the reply. */
export async function startCallbackReceiver(
  answer: (c: ReceivedCallback) => { status: number; body: string } = () => ({
    status: 200,
    body: '{"ResultCode":0,"ResultDesc":"Accepted"}',
  }),
): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const callback = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        json,
        receivedAt: Date.now(),
      };
      received.push(callback);
      const reply = answer(callback);
      res.writeHead(reply.status, { "Content-Type": "application/json" }).end(reply.body);
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = "/callback") => `http://127.0.0.1:${port}${path}`,
    received,
    waitFor(predicate, timeoutMs = 5_000) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = received.find(predicate);
          if (!match) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(match);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching callback within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** `Body.stkCallback` of a received callback. */
export function stkCallbackOf(c: ReceivedCallback): Record<string, unknown> {
  return (c.json as { Body: { stkCallback: Record<string, unknown> } }).Body.stkCallback;
}

// ---- B2C, Reversal, Transaction Status, Account Balance ------------------------------------------

/** The default initiator's password encrypted with this emulator's certificate (a fresh one each call). */
export function securityCredential(
  emulator: Emulator,
  password: string = DEFAULT_INITIATOR.password,
): string {
  return encryptSecurityCredential(password, emulator.certificatePem).reveal();
}

/** A valid B2C v3 body (the docs' sample shape) paying `phone`; override any field. */
export function b2cBody(
  emulator: Emulator,
  phone: string | number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    OriginatorConversationID: `pay_${randomUUID()}`,
    InitiatorName: DEFAULT_INITIATOR.name,
    SecurityCredential: securityCredential(emulator),
    CommandID: "BusinessPayment",
    Amount: 450,
    PartyA: SANDBOX_SHORTCODE,
    PartyB: phone,
    Remarks: "Payout BK12345",
    QueueTimeOutURL: "https://malipo.example/b2c/timeout",
    ResultURL: "https://malipo.example/b2c/result",
    Occassion: "BK12345",
    ...overrides,
  };
}

/** A valid reversal body for `receipt`; override any field. */
export function reversalBody(
  emulator: Emulator,
  receipt: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    Initiator: DEFAULT_INITIATOR.name,
    SecurityCredential: securityCredential(emulator),
    CommandID: "TransactionReversal",
    TransactionID: receipt,
    Amount: "500",
    ReceiverParty: SANDBOX_SHORTCODE,
    RecieverIdentifierType: "11",
    ResultURL: "https://malipo.example/reversal/result",
    QueueTimeOutURL: "https://malipo.example/reversal/timeout",
    Remarks: "Refund BK12345",
    ...overrides,
  };
}

/** A valid Transaction Status body; give TransactionID and/or OriginalConversationID. */
export function transactionStatusBody(
  emulator: Emulator,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  return {
    Initiator: DEFAULT_INITIATOR.name,
    SecurityCredential: securityCredential(emulator),
    CommandID: "TransactionStatusQuery",
    PartyA: SANDBOX_SHORTCODE,
    IdentifierType: "4",
    ResultURL: "https://malipo.example/status/result",
    QueueTimeOutURL: "https://malipo.example/status/timeout",
    Remarks: "Status check",
    Occasion: "Reconcile",
    ...overrides,
  };
}

export function accountBalanceBody(
  emulator: Emulator,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    Initiator: DEFAULT_INITIATOR.name,
    SecurityCredential: securityCredential(emulator),
    CommandID: "AccountBalance",
    PartyA: SANDBOX_SHORTCODE,
    IdentifierType: "4",
    Remarks: "Float check",
    QueueTimeOutURL: "https://malipo.example/balance/timeout",
    ResultURL: "https://malipo.example/balance/result",
    ...overrides,
  };
}

/** `Result` of a received result or queue-timeout notice. */
export function resultOf(c: ReceivedCallback): Record<string, unknown> {
  return (c.json as { Result: Record<string, unknown> }).Result;
}

/** ResultParameters as a Key → Value map. */
export function resultParameters(result: Record<string, unknown>): Record<string, unknown> {
  const container = result.ResultParameters as { ResultParameter?: unknown } | undefined;
  const items = container?.ResultParameter;
  const list = Array.isArray(items) ? items : items === undefined ? [] : [items];
  return Object.fromEntries(list.map((i: { Key: string; Value?: unknown }) => [i.Key, i.Value]));
}

/** A customer pays `amount` to the sandbox paybill by STK Push; resolves with the M-PESA receipt. */
export async function payByStk(t: TestEmulator, token: string, phone: string, amount = 500): Promise<string> {
  const answer = await darajaPost(
    t.baseUrl,
    "/mpesa/stkpush/v1/processrequest",
    token,
    stkPushBody(phone, { Amount: amount }),
  );
  const id = answer.json?.CheckoutRequestID;
  if (answer.status !== 200 || typeof id !== "string") throw new Error(`push refused: ${answer.text}`);
  const session = t.emulator.sessions.get(id);
  if (session?.status === "pending") t.emulator.resolve(id, "pay");
  const paid = await t.emulator.sessions.waitFor(
    (s) => s.checkoutRequestId === id && s.status === "completed",
  );
  if (paid.receipt === null) throw new Error(`push ${id} ended ${paid.result?.resultCode}`);
  return paid.receipt.mpesaReceiptNumber;
}
