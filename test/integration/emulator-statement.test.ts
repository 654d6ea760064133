/**
 * The emulator's organisation statement over loopback: real STK payments, a B2C payout and a
 * reversal go through the emulator, then `GET /__emulator/statement.csv` is read with the statement
 * reader and must say exactly what the emulator did — receipts, amounts, the charge, the Utility
 * Account's running balance — within the period asked for. The emulator's clock is ours.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "../../src/daraja/password.ts";
import { b2cChargeKes } from "../../src/emulator/accounts.ts";
import { parseStatement } from "../../src/reconciliation/statement-csv.ts";
import {
  b2cBody,
  type CallbackReceiver,
  darajaPost,
  fetchToken,
  payByStk,
  reversalBody,
  startCallbackReceiver,
  startTestEmulator,
  type TestEmulator,
} from "../support/emulator.ts";

const OPENING_UTILITY_CENTS = 100_000 * 100;
const T0 = Date.parse("2026-11-30T09:00:00Z");
const minutes = (n: number) => new Date(T0 + n * 60_000);

let clock = new Date(T0);
let t: TestEmulator;
let receiver: CallbackReceiver;
let token: string;

beforeAll(async () => {
  t = await startTestEmulator({
    now: () => clock,
    merchants: [
      { shortcode: SANDBOX_SHORTCODE, passkey: SANDBOX_PASSKEY, name: "MALIPO" },
      { shortcode: "600000", passkey: "other-passkey", name: "OTHER ORG" },
    ],
  });
  receiver = await startCallbackReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(async () => {
  t.emulator.reset();
  clock = new Date(T0);
  token = await fetchToken(t.baseUrl);
});

/** Waits for the payout or reversal the emulator accepted, and returns its receipt. */
async function completed(answer: { status: number; json?: Record<string, unknown> }): Promise<string> {
  expect(answer.status).toBe(200);
  const id = answer.json?.ConversationID;
  const done = await t.emulator.conversations.waitFor(
    (c) => c.conversationId === id && c.status !== "pending",
  );
  expect(done.result?.resultCode).toBe(0);
  return String(done.result?.transactionId);
}

const payout = async (phone: string, amount: number) =>
  completed(
    await darajaPost(
      t.baseUrl,
      "/mpesa/b2c/v3/paymentrequest",
      token,
      b2cBody(t.emulator, phone, {
        Amount: amount,
        ResultURL: receiver.url("/b2c"),
        QueueTimeOutURL: receiver.url("/t"),
      }),
    ),
  );
const reversal = async (receipt: string) =>
  completed(
    await darajaPost(
      t.baseUrl,
      "/mpesa/reversal/v1/request",
      token,
      reversalBody(t.emulator, receipt, {
        ResultURL: receiver.url("/rev"),
        QueueTimeOutURL: receiver.url("/t"),
      }),
    ),
  );

/** At 09:00 UTC a payment of 500, 09:10 a payout of 450 (and its charge), 09:20 a payment of 300, 09:30 its reversal. */
async function aMorningOfMoney() {
  const paid = await payByStk(t, token, "254708374149", 500);
  clock = minutes(10);
  const paidOut = await payout("254708374149", 450);
  clock = minutes(20);
  const paidAgain = await payByStk(t, token, "254712000555", 300);
  clock = minutes(30);
  const reversed = await reversal(paidAgain);
  return { paid, paidOut, paidAgain, reversed };
}

async function statement(query = "") {
  const response = await fetch(`${t.baseUrl}/__emulator/statement.csv${query}`);
  return { response, text: await response.text() };
}

describe("the emulator's statement export", () => {
  it("is every movement, read back by the statement reader as the emulator made it", async () => {
    const { paid, paidOut, paidAgain, reversed } = await aMorningOfMoney();
    const { response, text } = await statement();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(text.startsWith("Account Holder:,MALIPO\r\nShort Code:,174379\r\n")).toBe(true);

    const charge = b2cChargeKes(450) * 100;
    expect(charge).toBeGreaterThan(0);
    const { lines, period } = parseStatement(text);
    // Newest first, as the portal lists them.
    expect(lines.map((l) => [l.receipt, l.kind, l.paidInCents, l.withdrawnCents, l.balanceCents])).toEqual([
      [reversed, "reversal_out", 0, 30_000, OPENING_UTILITY_CENTS + 50_000 - 45_000],
      [paidAgain, "payment_in", 30_000, 0, OPENING_UTILITY_CENTS + 50_000 - 45_000 + 30_000],
      [paidOut, "charge", 0, charge, null],
      [paidOut, "payout_out", 0, 45_000, OPENING_UTILITY_CENTS + 50_000 - 45_000],
      [paid, "payment_in", 50_000, 0, OPENING_UTILITY_CENTS + 50_000],
    ]);
    const accounts = t.emulator.accounts.get(SANDBOX_SHORTCODE);
    expect(lines[0]?.balanceCents).toBe(accounts.utilityCents);
    expect(-accounts.chargesPaidCents).toBe(charge);
    expect(period).toEqual({ from: minutes(0).toISOString(), to: minutes(30).toISOString() });

    expect(lines[4]).toMatchObject({
      completedAt: minutes(0).toISOString(),
      details: "Pay Bill from 25470****149 - JOHN DOE Acc. BK12345",
      status: "Completed",
      reasonType: "Pay Utility",
      otherParty: "25470****149 - JOHN DOE",
      accountNumber: "BK12345",
      linkedTransactionId: "",
    });
    expect(lines[3]).toMatchObject({
      completedAt: minutes(10).toISOString(),
      details: "Business Payment to 25470****149 - JOHN DOE via API",
      reasonType: "Business Payment to Customer via API",
    });
    expect(lines[2]).toMatchObject({ details: "Business Payment Charge", linkedTransactionId: paidOut });
    expect(lines[0]).toMatchObject({ reasonType: "Reversal", linkedTransactionId: paidAgain });
    // Each line's balance is the one before it moved by the line (charges leave the Utility Account alone).
    const moved = [...lines].reverse().filter((l) => l.balanceCents !== null);
    moved.reduce((before, l) => {
      expect(l.balanceCents).toBe(before + l.paidInCents - l.withdrawnCents);
      return l.balanceCents as number;
    }, OPENING_UTILITY_CENTS);
  });

  it("keeps to the period: from inclusive, to exclusive, a date meaning its midnight in Nairobi", async () => {
    const { paidOut, paidAgain } = await aMorningOfMoney();
    const within = await statement(`?from=${minutes(10).toISOString()}&to=${minutes(30).toISOString()}`);
    expect(parseStatement(within.text).lines.map((l) => [l.receipt, l.kind])).toEqual([
      [paidAgain, "payment_in"],
      [paidOut, "charge"],
      [paidOut, "payout_out"],
    ]);
    expect(within.text).toContain("Time Period:,From,30-11-2026 12:10:00,To,30-11-2026 12:29:59");
    // Read back, the period is exactly the one asked for (to exclusive: its last millisecond before).
    expect(parseStatement(within.text).declaredPeriod).toEqual({
      from: minutes(10).toISOString(),
      to: new Date(minutes(30).getTime() - 1).toISOString(),
    });

    const offset = await statement(`?from=${encodeURIComponent("2026-11-30T12:25:00+03:00")}`);
    expect(parseStatement(offset.text).lines.map((l) => l.kind)).toEqual(["reversal_out"]);
    expect(parseStatement((await statement("?from=2026-11-30&to=2026-12-01")).text).lines).toHaveLength(5);
    expect(parseStatement((await statement("?to=2026-11-30")).text).lines).toEqual([]);
  });

  it("is per organisation: another shortcode's statement has none of these lines", async () => {
    await aMorningOfMoney();
    const other = await statement("?shortcode=600000");
    expect(other.response.status).toBe(200);
    expect(other.text).toContain("Account Holder:,OTHER ORG");
    expect(parseStatement(other.text)).toEqual({ lines: [], period: null, declaredPeriod: null });
    expect(parseStatement((await statement(`?shortcode=${SANDBOX_SHORTCODE}`)).text).lines).toHaveLength(5);
  });

  it("is forgotten on reset", async () => {
    await aMorningOfMoney();
    await fetch(`${t.baseUrl}/__emulator/reset`, { method: "POST" });
    expect(parseStatement((await statement()).text).lines).toEqual([]);
  });

  it.each([
    ["?from=yesterday", 400, "INVALID_INPUT", "from must be an ISO 8601"],
    ["?to=2026-02-31", 400, "INVALID_INPUT", "to must be an ISO 8601"],
    ["?from=2026-11-30T09:00:00", 400, "INVALID_INPUT", "from must be an ISO 8601"],
    ["?from=2026-12-01&to=2026-11-30", 400, "INVALID_INPUT", "is after to"],
    ["?shortcode=999999", 404, "ORGANISATION_NOT_FOUND", "999999"],
  ])("refuses %s with the emulator's error", async (query, status, code, message) => {
    const { response, text } = await statement(query);
    expect(response.status).toBe(status);
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain(message);
  });

  it("is in the control API's OpenAPI document and its info", async () => {
    const info = (await (await fetch(`${t.baseUrl}/__emulator/info`)).json()) as {
      paths: Record<string, string>;
    };
    expect(info.paths.statement).toBe("/__emulator/statement.csv");
    const doc = (await (await fetch(`${t.baseUrl}/__emulator/openapi.json`)).json()) as {
      paths: Record<
        string,
        { get?: { parameters?: Array<{ name: string }>; responses?: Record<string, { content?: object }> } }
      >;
    };
    const operation = doc.paths["/__emulator/statement.csv"]?.get;
    expect(operation?.parameters?.map((p) => p.name).sort()).toEqual(["from", "shortcode", "to"]);
    expect(Object.keys(operation?.responses?.["200"]?.content ?? {})).toEqual(["text/csv"]);
    expect(Object.keys(operation?.responses?.["400"]?.content ?? {})).toEqual(["application/json"]);
  });
});
