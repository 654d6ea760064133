import { describe, expect, it } from "vitest";
import { DarajaError } from "../../../src/daraja/errors.ts";
import { parseTokenResponse } from "../../../src/daraja/token.ts";
import {
  daraja,
  envelope,
  harness,
  json,
  PUSH_PATH,
  pushAccepted,
  type Reply,
  TOKEN_PATH,
  tokenReply,
  validPush,
} from "./support.ts";

const caught = async (promise: Promise<unknown>): Promise<DarajaError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DarajaError) return error;
    throw error;
  }
  throw new Error("expected a DarajaError");
};

describe("OAuth token", () => {
  it("is requested with GET, Basic auth and grant_type=client_credentials", async () => {
    const t = harness(daraja(() => pushAccepted()));
    await t.client.accessToken();
    expect(t.calls[0]).toMatchObject({ method: "GET", path: TOKEN_PATH });
    const basic = t.calls[0]?.headers.authorization ?? "";
    expect(basic).toMatch(/^Basic /);
    expect(Buffer.from(basic.slice(6), "base64").toString()).toBe("test-consumer-key:test-consumer-secret");
  });

  it("is cached until 60 s before it expires, then fetched again", async () => {
    const t = harness(daraja(() => pushAccepted()));
    const first = await t.client.accessToken();
    t.clock.advance((3599 - 61) * 1000);
    expect(await t.client.accessToken()).toBe(first);
    expect(t.tokensSent()).toBe(1);
    t.clock.advance(2_000);
    const second = await t.client.accessToken();
    expect(second).not.toBe(first);
    expect(t.tokensSent()).toBe(2);
  });

  it("honours a custom refresh margin, capped at half a short lifetime", async () => {
    const t = harness(
      daraja(() => pushAccepted(), { tokens: () => tokenReply(100) }),
      { tokenRefreshMarginMs: 120_000 },
    );
    await t.client.accessToken();
    t.clock.advance(49_000);
    await t.client.accessToken();
    expect(t.tokensSent()).toBe(1);
    t.clock.advance(1_000);
    await t.client.accessToken();
    expect(t.tokensSent()).toBe(2);
  });

  it.each([["3599"], [3599]])(
    "accepts expires_in %j (string on the wire, number in the v3 docs)",
    async (expiresIn) => {
      const t = harness(daraja(() => pushAccepted(), { tokens: () => tokenReply(expiresIn) }));
      await t.client.accessToken();
      t.clock.advance(3_000_000);
      await t.client.accessToken();
      expect(t.tokensSent()).toBe(1);
    },
  );

  it("concurrent callers share one in-flight token request", async () => {
    let release: (reply: Reply) => void = () => {};
    const t = harness(
      daraja(() => pushAccepted(), {
        tokens: () => new Promise<Reply>((resolve) => (release = resolve)),
      }),
    );
    const waiting = Promise.all([
      t.client.accessToken(),
      t.client.accessToken(),
      t.client.stkPush(validPush),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.tokensSent()).toBe(1);
    const reply = tokenReply();
    release(reply);
    const [a, b, accepted] = await waiting;
    expect(a).toBe(reply.token);
    expect(b).toBe(reply.token);
    expect(accepted.checkoutRequestId).toMatch(/^ws_CO_/);
    expect(t.calls.find((c) => c.path === PUSH_PATH)?.headers.authorization).toBe(`Bearer ${reply.token}`);
    expect(t.tokensSent()).toBe(1);
  });

  it("retries a failed token request with backoff, then succeeds", async () => {
    let attempt = 0;
    const t = harness(
      daraja(() => pushAccepted(), {
        tokens: () =>
          ++attempt < 3
            ? envelope(500, "500.003.02", "Error Occurred: Spike Arrest Violation")
            : tokenReply(),
      }),
    );
    await expect(t.client.accessToken()).resolves.toMatch(/^tok/);
    expect(t.tokensSent()).toBe(3);
    // random 0.5 → three quarters of the step: 250 ms base, doubling.
    expect(t.sleeps).toEqual([188, 375]);
  });

  it("gives up after the configured attempts", async () => {
    const t = harness(
      daraja(() => pushAccepted(), { tokens: () => ({ status: 503, text: "" }) }),
      {
        retry: { maxAttempts: 4 },
      },
    );
    const error = await caught(t.client.accessToken());
    expect(error).toMatchObject({ kind: "server", operation: "token", httpStatus: 503, retryable: true });
    expect(t.tokensSent()).toBe(4);
  });

  it.each([
    ["wrong key/secret: HTTP 400 with an empty body", { status: 400, text: "" }],
    [
      "400.008.01 Invalid Authentication passed",
      envelope(400, "400.008.01", "Invalid Authentication passed"),
    ],
    ["400.008.02 Invalid grant type passed", envelope(400, "400.008.02", "Invalid grant type passed")],
    ["HTTP 401 without a body", { status: 401, text: "" }],
  ] as const)("%s → authentication, not retried", async (_, reply) => {
    const t = harness(daraja(() => pushAccepted(), { tokens: () => reply }));
    const error = await caught(t.client.accessToken());
    expect(error.kind).toBe("authentication");
    expect(error.retryable).toBe(false);
    expect(t.tokensSent()).toBe(1);
    expect(error.message).not.toContain("test-consumer-secret");
  });

  it("an HTML page with HTTP 200 is an unexpected response (retried, then reported)", async () => {
    const html = {
      status: 200,
      text: "<!DOCTYPE html><html><body>portal</body></html>",
      contentType: "text/html",
    };
    const t = harness(
      daraja(() => pushAccepted(), { tokens: () => html }),
      { retry: { maxAttempts: 2 } },
    );
    const error = await caught(t.client.accessToken());
    expect(error).toMatchObject({ kind: "unexpected_response", httpStatus: 200 });
    expect(error.message).toMatch(/HTML/);
    expect(t.tokensSent()).toBe(2);
  });

  it.each([
    [{ expires_in: "3599" }, /access_token/],
    [{ access_token: "", expires_in: "3599" }, /access_token/],
    [{ access_token: 42, expires_in: "3599" }, /access_token/],
    [{ access_token: "abc" }, /expires_in/],
    [{ access_token: "abc", expires_in: "soon" }, /expires_in/],
    [{ access_token: "abc", expires_in: -5 }, /expires_in/],
    [{ access_token: "abc", expires_in: 0 }, /expires_in/],
    [["abc"], /object/],
  ])("a malformed token response %j is a typed error that never echoes the token", async (body, problem) => {
    const t = harness(daraja(() => pushAccepted(), { tokens: () => json(200, body) }));
    const error = await caught(t.client.accessToken());
    expect(error.kind).toBe("unexpected_response");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(problem);
    expect(error.message).not.toContain("abc");
  });

  it("parseTokenResponse reads both expires_in forms", () => {
    expect(parseTokenResponse(200, '{"access_token":"x","expires_in":"3599"}')).toEqual({
      token: "x",
      expiresInSeconds: 3599,
    });
    expect(parseTokenResponse(200, '{"access_token":"x","expires_in":3599}').expiresInSeconds).toBe(3599);
  });
});

describe("refresh once when Daraja refuses the token", () => {
  it.each([
    ["404.001.03", 404, "Invalid Access Token"],
    ["401.002.01", 401, "Error Occurred - Invalid Access Token - BJGFGOXv5aZnw90KkA4TDtu4Xdyf"],
  ])("%s: a push is resent once with a new token", async (code, status, message) => {
    let pushes = 0;
    const t = harness(daraja(() => (++pushes === 1 ? envelope(status, code, message) : pushAccepted())));
    const accepted = await t.client.stkPush(validPush);
    expect(accepted.responseCode).toBe("0");
    expect(t.pushesSent()).toBe(2);
    expect(t.tokensSent()).toBe(2);
    const auths = t.calls.filter((c) => c.path === PUSH_PATH).map((c) => c.headers.authorization);
    expect(auths[0]).not.toBe(auths[1]);
  });

  it("refuses for good when the fresh token is refused too (no loop)", async () => {
    const t = harness(daraja(() => envelope(404, "404.001.03", "Invalid Access Token")));
    const error = await caught(t.client.stkPush(validPush));
    expect(error).toMatchObject({ kind: "authentication", errorCode: "404.001.03", retryable: false });
    expect(t.pushesSent()).toBe(2);
    expect(t.tokensSent()).toBe(2);
  });

  it("a query is resent once with a new token too", async () => {
    let queries = 0;
    const t = harness(
      daraja(() =>
        ++queries === 1
          ? envelope(401, "401.002.01", "Error Occurred - Invalid Access Token - XXX")
          : json(200, { ResponseCode: "0", ResultCode: "0", ResultDesc: "ok", CheckoutRequestID: "ws_CO_1" }),
      ),
    );
    await expect(t.client.stkQuery("ws_CO_1")).resolves.toMatchObject({ kind: "final", resultCode: "0" });
    expect(t.queriesSent()).toBe(2);
    expect(t.tokensSent()).toBe(2);
  });

  it("redacts the token Daraja echoes back in 401.002.01", async () => {
    const t = harness(
      daraja(() =>
        envelope(401, "401.002.01", "Error Occurred - Invalid Access Token - BJGFGOXv5aZnw90KkA4TDtu4Xdyf"),
      ),
    );
    const error = await caught(t.client.stkPush(validPush));
    expect(error.message).not.toContain("BJGFGOXv5aZnw90KkA4TDtu4Xdyf");
    expect(error.errorMessage).toBe("Error Occurred - Invalid Access Token - [redacted]");
    expect(JSON.stringify(error)).not.toContain("BJGFGOX");
  });
});
