import { describe, expect, it } from "vitest";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "../../../src/daraja/password.ts";
import { caught } from "../../support/daraja.ts";
import { daraja, envelope, harness, json, QUERY_PATH, type Reply } from "./support.ts";

const ID = "ws_CO_15012026120000123708374149";

const answer = (
  ResultCode: string | number,
  ResultDesc: string,
  extra: Record<string, unknown> = {},
): Reply =>
  json(200, {
    ResponseCode: "0",
    ResponseDescription: "The service request has been accepted successsfully",
    MerchantRequestID: "2654-4b64-97ff-b827b542881d3130",
    CheckoutRequestID: ID,
    ResultCode,
    ResultDesc,
    ...extra,
  });

/** Replies in order; the last one repeats. */
const sequence =
  (...replies: Reply[]) =>
  (_: unknown, calls: readonly { path: string }[]) => {
    const n = calls.filter((c) => c.path === QUERY_PATH).length;
    return replies[Math.min(n, replies.length) - 1] as Reply;
  };

describe("stkQuery request", () => {
  it("posts BusinessShortCode, a matching Password/Timestamp and the CheckoutRequestID", async () => {
    const t = harness(daraja(() => answer("0", "The service request is processed successfully.")));
    await t.client.stkQuery(ID);
    const call = t.calls.find((c) => c.path === QUERY_PATH);
    const body = call?.body as Record<string, string>;
    expect(Object.keys(body)).toEqual(["BusinessShortCode", "Password", "Timestamp", "CheckoutRequestID"]);
    expect(body.Timestamp).toBe("20260115120000");
    expect(Buffer.from(body.Password ?? "", "base64").toString()).toBe(
      `${SANDBOX_SHORTCODE}${SANDBOX_PASSKEY}20260115120000`,
    );
    expect(body.CheckoutRequestID).toBe(ID);
    expect(call?.headers.authorization).toMatch(/^Bearer /);
  });

  it.each(["", " ", "ws_CO_1; DROP", "x".repeat(101)])(
    "refuses CheckoutRequestID %j before any call",
    async (id) => {
      const t = harness(daraja(() => answer("0", "ok")));
      const error = await caught(t.client.stkQuery(id));
      expect(error).toMatchObject({ kind: "validation", field: "CheckoutRequestID", local: true });
      expect(t.calls).toHaveLength(0);
    },
  );
});

describe("stkQuery results", () => {
  it("a final answer carries the ResultCode as a string", async () => {
    const t = harness(daraja(() => answer(1032, "Request cancelled by user")));
    await expect(t.client.stkQuery(ID)).resolves.toEqual({
      kind: "final",
      merchantRequestId: "2654-4b64-97ff-b827b542881d3130",
      checkoutRequestId: ID,
      resultCode: "1032",
      resultDesc: "Request cancelled by user",
    });
  });

  it("an unknown final code is still reported (the caller classifies it as unknown)", async () => {
    const t = harness(daraja(() => answer("E9999", "Something new")));
    await expect(t.client.stkQuery(ID)).resolves.toMatchObject({ kind: "final", resultCode: "E9999" });
  });

  it("ResultCode 4999 is not final", async () => {
    const t = harness(
      daraja(() =>
        json(200, { ResultCode: "4999", ResultDesc: "The transaction is still under processing" }),
      ),
    );
    await expect(t.client.stkQuery(ID)).resolves.toEqual({
      kind: "not_final",
      reason: "processing",
      resultDesc: "The transaction is still under processing",
    });
  });

  it("HTTP 500 500.001.1001 'being processed' is not final, and not retried", async () => {
    const t = harness(daraja(() => envelope(500, "500.001.1001", "The transaction is being processed", ID)));
    await expect(t.client.stkQuery(ID)).resolves.toMatchObject({ kind: "not_final", reason: "processing" });
    expect(t.queriesSent()).toBe(1);
  });

  it("'The transaction does not Exist' is not final with reason not_found (it is sometimes transient)", async () => {
    const t = harness(daraja(() => envelope(500, "500.001.1001", "The transaction does not Exist")));
    await expect(t.client.stkQuery(ID)).resolves.toEqual({
      kind: "not_final",
      reason: "not_found",
      resultDesc: "The transaction does not Exist",
    });
    expect(t.queriesSent()).toBe(1);
  });

  it("an answer about another CheckoutRequestID is refused", async () => {
    const t = harness(daraja(() => answer("0", "ok", { CheckoutRequestID: "ws_CO_other" })));
    await expect(caught(t.client.stkQuery(ID))).resolves.toMatchObject({ kind: "unexpected_response" });
  });

  it("a 200 with ResponseCode other than 0 and no ResultCode is a rejection", async () => {
    const t = harness(daraja(() => json(200, { ResponseCode: "1", ResponseDescription: "Rejected" })));
    await expect(caught(t.client.stkQuery(ID))).resolves.toMatchObject({ kind: "rejected", errorCode: "1" });
  });

  it("Daraja's validation errors come back typed, not retried", async () => {
    const t = harness(daraja(() => envelope(400, "400.002.02", "Bad Request - Invalid Timestamp")));
    const error = await caught(t.client.stkQuery(ID));
    expect(error).toMatchObject({ kind: "validation", field: "Timestamp", operation: "stk_query" });
    expect(t.queriesSent()).toBe(1);
  });
});

describe("stkQuery retries (safe: a query changes nothing)", () => {
  it("retries transient failures with jittered exponential backoff, fresh timestamp each time", async () => {
    const t = harness(
      daraja(
        sequence(
          { status: 503, text: "" },
          envelope(500, "500.003.02", "Error Occurred: Spike Arrest Violation"),
          answer("0", "The service request is processed successfully."),
        ),
      ),
      { retry: { baseDelayMs: 1000, maxDelayMs: 10_000 } },
    );
    await expect(t.client.stkQuery(ID)).resolves.toMatchObject({ kind: "final", resultCode: "0" });
    expect(t.queriesSent()).toBe(3);
    expect(t.sleeps).toEqual([750, 1500]);
    const timestamps = t.calls
      .filter((c) => c.path === QUERY_PATH)
      .map((c) => (c.body as { Timestamp: string }).Timestamp);
    expect(timestamps).toEqual(["20260115120000", "20260115120000", "20260115120002"]);
    for (const call of t.calls.filter((c) => c.path === QUERY_PATH)) {
      const body = call.body as { Password: string; Timestamp: string };
      expect(Buffer.from(body.Password, "base64").toString().endsWith(body.Timestamp)).toBe(true);
    }
  });

  it("jitter follows the injected random source and is capped", async () => {
    const randoms = [0, 0.999, 0.5];
    const t = harness(
      daraja(() => ({ status: 500, text: "" })),
      {
        retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 1500 },
        random: () => randoms.shift() ?? 0,
      },
    );
    await caught(t.client.stkQuery(ID));
    expect(t.sleeps).toEqual([500, 1499, 1125]);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const t = harness(daraja(() => envelope(500, "500.003.02", "Error Occurred: Spike Arrest Violation")));
    const error = await caught(t.client.stkQuery(ID));
    expect(error).toMatchObject({ kind: "rate_limited", retryable: true });
    expect(t.queriesSent()).toBe(3);
  });

  it("retries timeouts and broken connections", async () => {
    const reset = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });
    const t = harness(
      daraja(sequence({ hang: true }, { fail: reset }, answer("1037", "DS timeout user cannot be reached"))),
      { timeoutMs: 20 },
    );
    await expect(t.client.stkQuery(ID)).resolves.toMatchObject({ kind: "final", resultCode: "1037" });
    expect(t.queriesSent()).toBe(3);
  });

  it("reports a timeout as a timeout once the attempts are spent", async () => {
    const t = harness(
      daraja(() => ({ hang: true })),
      { timeoutMs: 20, retry: { maxAttempts: 2 } },
    );
    const error = await caught(t.client.stkQuery(ID));
    expect(error).toMatchObject({ kind: "timeout", operation: "stk_query", retryable: true });
    expect(t.queriesSent()).toBe(2);
  });

  it("does not multiply retries when the token is what fails", async () => {
    const t = harness(daraja(() => answer("0", "ok"), { tokens: () => ({ status: 503, text: "" }) }));
    const error = await caught(t.client.stkQuery(ID));
    expect(error).toMatchObject({ kind: "server", operation: "token" });
    expect(t.tokensSent()).toBe(3);
    expect(t.queriesSent()).toBe(0);
  });
});
