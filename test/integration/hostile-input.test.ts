/**
 * Every route, every kind of bad input: the answer is always the error envelope
 * `{ success: false, error: { code, message } }` with the status of its code, and never a 5xx.
 * Malformed JSON, wrong types, huge strings, NUL bytes, unknown and oddly shaped ids, missing,
 * invalid and expired tokens, wrong roles, bad paging, status filters and dates, wrong content
 * types and methods. Real server, real emulator; table-driven, so a failure lists every case that broke.
 */
import { connect } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bearer, createAdmin, registerUser } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { envelopeProblem } from "../support/envelope.ts";
import { type PaymentsStack, startPaymentsStack } from "../support/payments.ts";
import { type Actors, type Case, hostileCases } from "./hostile-input.cases.ts";

const METRICS_TOKEN = "metrics-token-for-hostile-tests";
const PAY = "/api/v1/payments/mpesa";
const json = { "content-type": "application/json" };

let s: PaymentsStack;
let a: Actors;

beforeAll(async () => {
  s = await startPaymentsStack({
    env: { METRICS_TOKEN },
    // Limits would answer 429 before the input is even looked at; they have their own tests.
    rateLimits: {
      login: { max: 100_000, timeWindowMs: 60_000 },
      stkPush: { max: 100_000, timeWindowMs: 60_000 },
    },
  });
  const c = await s.customer();
  const paid = await s.stkPush(c.token, {
    phoneNumber: "0708374149",
    bookingId: c.bookingId,
    type: "booking_fee",
  });
  const transactionId = paid.json().data.transactionId as string;
  await s.waitForStatus(c.token, transactionId, ["completed"]);
  const o = await s.customer();
  const failed = await s.stkPush(o.token, {
    phoneNumber: "254711111111",
    bookingId: o.bookingId,
    type: "booking_fee",
  });
  const otherTx = failed.json().data.transactionId as string;
  await s.waitForStatus(o.token, otherTx, ["failed"]);
  a = {
    customer: { ...c, transactionId },
    other: { token: o.token, bookingId: o.bookingId, transactionId: otherTx },
    technician: (await registerUser(s.t.app, { role: "technician" })).token,
    admin: (await createAdmin(s.t)).token,
  };
});
afterEach(async () => {
  await s.t.services.payments.callbacks.whenIdle();
  await assertBooksBalanced(s.t.db.db.kysely);
});
afterAll(async () => {
  await s?.close();
});

/** What is wrong with one answer, or null when it is acceptable. */
function problemWith(c: Case, res: LightMyRequestResponse): string | null {
  if (res.statusCode >= 500) return `answered ${res.statusCode}: ${res.body.slice(0, 200)}`;
  if (c.method === "HEAD") return null;
  if (res.statusCode < 400) return c.mustFail ? `accepted it (${res.statusCode})` : null;
  return envelopeProblem(res);
}

describe("hostile input on every route", () => {
  it("always answers the error envelope, never a 5xx", async () => {
    const cases = hostileCases({
      jwtSecret: s.t.config.jwtSecret.reveal(),
      callbackSecret: s.t.config.callbackSecret,
      metricsToken: METRICS_TOKEN,
      actors: a,
    });
    expect(cases.length).toBeGreaterThan(800);
    const problems: string[] = [];
    let refused = 0;
    for (const c of cases) {
      const res = await s.t.app.inject({
        method: c.method,
        url: c.url,
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.payload !== undefined ? { payload: c.payload } : {}),
      });
      if (res.statusCode >= 400) refused += 1;
      const problem = problemWith(c, res);
      if (problem) problems.push(`${c.method} ${c.url.slice(0, 90)} [${c.label}]: ${problem}`);
    }
    expect(problems).toEqual([]);
    // Almost everything here is bad input: most of it must have been refused.
    expect(refused / cases.length).toBeGreaterThan(0.8);
    // Nothing hostile moved money or sent a prompt.
    const attempts = await s.t.db.db.kysely.selectFrom("payment_transactions").select("id").execute();
    expect(attempts).toHaveLength(2);
    // Nor changed a booking or sent money out.
    const bookings = await s.t.db.db.kysely.selectFrom("bookings").select(["id", "status"]).execute();
    const statusOf = (id: string) => bookings.find((b) => b.id === id)?.status;
    expect([statusOf(a.customer.bookingId), statusOf(a.other.bookingId)]).toEqual([
      "matching",
      "pending_payment",
    ]);
    expect(await s.t.db.db.kysely.selectFrom("payouts").select("id").execute()).toEqual([]);
    expect(await s.t.db.db.kysely.selectFrom("refunds").select("id").execute()).toEqual([]);
  });

  it("holds over real HTTP too: raw bytes, bad encodings and oversized bodies", async () => {
    const c = a.customer;
    const sends: Array<[string, RequestInit & { path: string }]> = [
      [
        "bad percent-encoding",
        { path: "/api/v1/bookings/%E0%A4%A", method: "GET", headers: bearer(c.token) },
      ],
      [
        "invalid UTF-8 body",
        {
          path: "/api/v1/bookings",
          method: "POST",
          headers: { ...json, ...bearer(c.token) },
          body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
        },
      ],
      [
        "oversized callback",
        {
          path: `${PAY}/callback?tx=${c.transactionId}`,
          method: "POST",
          headers: json,
          body: "x".repeat(200_000),
        },
      ],
      [
        "headers over the server's limit",
        { path: "/health", method: "GET", headers: { "x-filler": "x".repeat(20_000) } },
      ],
      [
        "oversized push",
        {
          path: `${PAY}/stkpush`,
          method: "POST",
          headers: { ...json, ...bearer(c.token) },
          body: JSON.stringify({ x: "y".repeat(200_000) }),
        },
      ],
    ];
    for (const [label, { path, ...init }] of sends) {
      const res = await fetch(`${s.t.url}${path}`, { ...init, signal: AbortSignal.timeout(3_000) }).catch(
        (error: Error) => error,
      );
      if (res instanceof Error) throw new Error(`${label}: ${res.message}`);
      expect(res.status, label).toBeGreaterThanOrEqual(400);
      expect(res.status, label).toBeLessThan(500);
      const body = await res.json();
      expect(body, label).toMatchObject({
        success: false,
        error: { code: expect.any(String), message: expect.any(String) },
      });
    }
  });

  it("answers what is not HTTP at all with the envelope too, before any route", async () => {
    const { hostname, port } = new URL(s.t.url);
    for (const request of [
      "GARBAGE\r\n\r\n",
      "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    ]) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => socket.end(request));
        let text = "";
        socket.setTimeout(3_000, () => socket.destroy(new Error("no answer")));
        socket.on("data", (chunk) => {
          text += chunk.toString("utf8");
        });
        socket.on("close", () => resolve(text));
        socket.on("error", reject);
      });
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      expect(head, request).toMatch(/^HTTP\/1\.1 400 /);
      expect(envelopeProblem({ statusCode: 400, body }), request).toBeNull();
    }
  });
});
