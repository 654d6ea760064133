/**
 * The faults a chaos run needs beyond the basic ones, through the emulator's own HTTP handlers
 * (`app.inject`, no socket) with a `fetch` that records what it would POST: a query that says
 * "still processing" about an ended session, results delivered out of order, a queue-timeout
 * notice instead of a result, and how many records a long run keeps.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../../src/emulator/index.ts";
import {
  b2cBody,
  basicAuth,
  EMULATOR_CREDENTIALS,
  stkPushBody,
  stkQueryBody,
} from "../../support/emulator.ts";

interface Post {
  url: string;
  body: { Result?: { ResultCode: number | string; OriginatorConversationID: string } };
}

let emulator: Emulator | null = null;
afterEach(async () => {
  await emulator?.close();
  emulator = null;
});

async function start(options: EmulatorOptions = {}) {
  const posts: Post[] = [];
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    posts.push({ url: String(url), body: JSON.parse(String(init?.body)) as Post["body"] });
    return new Response("{}", { status: 200 });
  }) as typeof globalThis.fetch;
  const e = await createEmulator({ timeScale: 0.001, seed: "faults", fetch, ...options });
  emulator = e;
  const auth = await e.app.inject({
    method: "GET",
    url: "/oauth/v1/generate?grant_type=client_credentials",
    headers: {
      authorization: basicAuth(EMULATOR_CREDENTIALS.consumerKey, EMULATOR_CREDENTIALS.consumerSecret),
    },
  });
  const token = (auth.json() as { access_token: string }).access_token;
  const post = async (url: string, payload: Record<string, unknown>) =>
    (
      await e.app.inject({ method: "POST", url, headers: { authorization: `Bearer ${token}` }, payload })
    ).json() as Record<string, unknown>;
  return { e, posts, post };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
};

describe("queryProcessing", () => {
  it("answers 4999 about an ended session while it fires, the final result once it does not", async () => {
    const { e, post } = await start();
    e.setOutcome("254712000001", "pay_at_once");
    const push = await post("/mpesa/stkpush/v1/processrequest", stkPushBody("254712000001"));
    const id = push.CheckoutRequestID as string;
    await until(() => e.sessions.get(id)?.status === "completed");
    e.setFaults({ rates: { queryProcessing: 1 } });
    expect(await post("/mpesa/stkpushquery/v1/query", stkQueryBody(id))).toEqual({
      ResultCode: "4999",
      ResultDesc: "The transaction is still under processing",
    });
    e.setFaults({});
    expect(await post("/mpesa/stkpushquery/v1/query", stkQueryBody(id))).toMatchObject({ ResultCode: "0" });
  });
});

describe("resultReordered", () => {
  it("holds a result back until the next one has gone, so they arrive swapped", async () => {
    // A hold of 3 s at most (30 s scaled): the second result goes well before it would expire.
    const { e, posts, post } = await start({ timeScale: 0.1 });
    e.setFaults({ rates: { resultReordered: 1 } });
    const first = await post("/mpesa/b2c/v3/paymentrequest", b2cBody(e, "254712000002"));
    await until(() => e.results.list().some((d) => d.status === "held"));
    expect(e.results.list()[0]?.note).toBe("fault: resultReordered");
    e.setFaults({});
    const second = await post("/mpesa/b2c/v3/paymentrequest", b2cBody(e, "254712000003"));
    await until(() => posts.length === 2);
    expect(posts.map((p) => p.body.Result?.OriginatorConversationID)).toEqual([
      second.OriginatorConversationID,
      first.OriginatorConversationID,
    ]);
  });
});

describe("queueTimeout", () => {
  it("carries the payout out but sends a queue-timeout notice instead of its result", async () => {
    const { e, posts, post } = await start();
    e.setFaults({ rates: { queueTimeout: 1 } });
    const body = b2cBody(e, "254712000004");
    await post("/mpesa/b2c/v3/paymentrequest", body);
    await until(() => posts.length === 1);
    expect(posts[0]?.url).toBe(body.QueueTimeOutURL);
    expect(posts[0]?.body.Result?.ResultCode).toBe(1037);
    expect(e.results.list().map((d) => [d.target, d.status, d.note])).toEqual([
      ["result", "suppressed", "fault: queueTimeout: a queue-timeout notice instead"],
      ["timeout", "answered", "fault: queueTimeout: the request timed out in the queue"],
    ]);
    expect(e.transactions.list()).toMatchObject([
      { kind: "b2c_payment", msisdn: "254712000004", amount: 450 },
    ]);
  });
});

describe("maxRecords", () => {
  it("bounds the sessions, transactions and deliveries kept; by default a few thousand are", async () => {
    const paySix = async (s: Awaited<ReturnType<typeof start>>) => {
      for (let i = 0; i < 6; i++) {
        const msisdn = `25471200010${i}`;
        s.e.setOutcome(msisdn, "pay_at_once");
        await s.post("/mpesa/stkpush/v1/processrequest", stkPushBody(msisdn));
      }
      await until(() => s.e.sessions.list({ status: "pending" }).length === 0);
      await until(() => s.posts.length === 6);
    };
    const small = await start({ maxRecords: 4 });
    await paySix(small);
    expect(small.e.sessions.list()).toHaveLength(4);
    expect(small.e.transactions.list()).toHaveLength(4);
    expect(small.e.deliveries.list()).toHaveLength(4);
    await small.e.close();

    const usual = await start();
    await paySix(usual);
    expect(usual.e.transactions.list()).toHaveLength(6);
  });
});
