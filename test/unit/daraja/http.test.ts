/** The client over real HTTP (node fetch → node:http on 127.0.0.1, port 0). */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.ts";
import { createDarajaClient, type DarajaClientOptions } from "../../../src/daraja/client.ts";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "../../../src/daraja/password.ts";
import { caught } from "../../support/daraja.ts";
import {
  daraja,
  envelope,
  type Handler,
  json,
  PUSH_PATH,
  pushAccepted,
  QUERY_PATH,
  startFakeDaraja,
  TOKEN_PATH,
  validPush,
} from "./support.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function serve(handler: Handler, overrides: Partial<DarajaClientOptions> = {}) {
  const server = await startFakeDaraja(handler);
  cleanups.push(server.close);
  const client = createDarajaClient({
    baseUrl: `${server.baseUrl}/`,
    consumerKey: "key",
    consumerSecret: "secret",
    shortcode: SANDBOX_SHORTCODE,
    passkey: SANDBOX_PASSKEY,
    transactionType: "CustomerPayBillOnline",
    clock: new ManualClock(),
    rateLimit: null,
    random: () => 0,
    sleep: async () => {},
    ...overrides,
  });
  return { client, calls: server.calls, baseUrl: server.baseUrl };
}

/** A port on 127.0.0.1 with nothing listening. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("over HTTP", () => {
  it("token, push and query end to end", async () => {
    const { client, calls } = await serve(
      daraja((exchange) =>
        exchange.path === PUSH_PATH
          ? pushAccepted("ws_CO_HTTP")
          : json(200, {
              ResponseCode: "0",
              ResultCode: "0",
              ResultDesc: "ok",
              CheckoutRequestID: "ws_CO_HTTP",
            }),
      ),
    );
    const accepted = await client.stkPush(validPush);
    expect(accepted.checkoutRequestId).toBe("ws_CO_HTTP");
    await expect(client.stkQuery("ws_CO_HTTP")).resolves.toMatchObject({ kind: "final", resultCode: "0" });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET ${TOKEN_PATH}`,
      `POST ${PUSH_PATH}`,
      `POST ${QUERY_PATH}`,
    ]);
    expect(calls[1]?.headers["content-type"]).toBe("application/json");
    expect(calls[1]?.body).toMatchObject({ PhoneNumber: "254708374149" });
  });

  it("an error envelope over HTTP is typed with its raw facts", async () => {
    const { client } = await serve(
      daraja(() => envelope(400, "400.002.02", "Bad Request - Invalid CallBackURL", "19072-295731-1")),
    );
    const error = await caught(client.stkPush(validPush));
    expect(error).toMatchObject({
      kind: "validation",
      field: "CallBackURL",
      httpStatus: 400,
      errorCode: "400.002.02",
      errorMessage: "Bad Request - Invalid CallBackURL",
      requestId: "19072-295731-1",
    });
  });

  it("a push that gets no answer in time: outcome unknown, sent once", async () => {
    const { client, calls } = await serve(
      daraja(() => ({ hang: true })),
      { timeoutMs: 150 },
    );
    const error = await caught(client.stkPush(validPush));
    expect(error).toMatchObject({ kind: "outcome_unknown", underlying: "timeout" });
    expect(calls.filter((c) => c.path === PUSH_PATH)).toHaveLength(1);
  });

  it("a push whose connection is cut: outcome unknown", async () => {
    const { client } = await serve(daraja(() => ({ fail: new Error("cut") })));
    const error = await caught(client.stkPush(validPush));
    expect(error).toMatchObject({ kind: "outcome_unknown", underlying: "network" });
  });

  it("nothing listening: a network error that is safe to retry, and queries are retried", async () => {
    const port = await closedPort();
    const sleeps: number[] = [];
    const client = createDarajaClient({
      baseUrl: `http://127.0.0.1:${port}`,
      consumerKey: "key",
      consumerSecret: "secret",
      shortcode: SANDBOX_SHORTCODE,
      passkey: SANDBOX_PASSKEY,
      transactionType: "CustomerPayBillOnline",
      rateLimit: null,
      random: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const error = await caught(client.stkQuery("ws_CO_1"));
    expect(error).toMatchObject({ kind: "network", operation: "token", retryable: true });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(sleeps).toHaveLength(2);
  });

  it("an HTML gateway page on a query is retried, then reported as a server error", async () => {
    const { client, calls } = await serve(
      daraja(() => ({
        status: 502,
        text: "<html><body>Bad Gateway</body></html>",
        contentType: "text/html",
      })),
    );
    const error = await caught(client.stkQuery("ws_CO_1"));
    expect(error).toMatchObject({ kind: "server", httpStatus: 502, operation: "stk_query" });
    expect(calls.filter((c) => c.path === QUERY_PATH)).toHaveLength(3);
  });
});
