/**
 * One webhook request over real HTTP (node:http on 127.0.0.1): what counts as delivered, how a
 * slow, silent, redirecting or chatty receiver is recorded, and that shutting down interrupts a
 * request in flight at once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { EXCERPT_BYTES, type SendInput, sendWebhook } from "../../../src/webhooks/sender.ts";
import { type Answer, type Receiver, startReceiver } from "../../support/webhooks.ts";

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

const HEADERS = { "webhook-id": "evt_1", "webhook-timestamp": "1768467641", "webhook-signature": "v1,x" };

async function receiver(answer: Answer): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

async function send(answer: Answer, extra: Partial<SendInput> = {}) {
  const r = await receiver(answer);
  const input = { url: r.url, body: '{"id":"evt_1"}', headers: HEADERS, timeoutMs: 300, allowPrivate: true };
  return { result: await sendWebhook({ ...input, ...extra }), r };
}

describe("sending one webhook", () => {
  it("counts every 2xx as delivered, keeping the start of the answer", async () => {
    for (const status of [200, 201, 202, 204, 299]) {
      const { result } = await send({ status, body: status === 204 ? "" : "thanks" });
      expect(result).toEqual({
        outcome: "delivered",
        statusCode: status,
        excerpt: status === 204 ? null : "thanks",
        error: null,
      });
    }
  });

  it("sends the body and the signature headers as given, as JSON", async () => {
    const { r } = await send({ status: 200 });
    expect(r.received[0]).toMatchObject({
      body: '{"id":"evt_1"}',
      headers: {
        "content-type": "application/json",
        "webhook-id": "evt_1",
        "webhook-timestamp": "1768467641",
        "webhook-signature": "v1,x",
        "user-agent": expect.stringMatching(/^Malipo-Webhooks\//),
      },
    });
  });

  it("records any other status as a failure, redirects included, with at most 1 KiB of the answer", async () => {
    const big = await send({ status: 500, body: "é".repeat(2_000) });
    expect(big.result).toMatchObject({
      outcome: "http_error",
      statusCode: 500,
      error: "the endpoint answered 500",
    });
    expect(Buffer.byteLength(big.result.excerpt ?? "")).toBeLessThanOrEqual(EXCERPT_BYTES + 2);
    const moved = await send({ status: 301, headers: { location: "http://127.0.0.1:9/elsewhere" } });
    expect(moved.result).toMatchObject({ outcome: "http_error", statusCode: 301 });
    const nul = await send({ status: 400, body: "bad\u0000request" });
    expect(nul.result.excerpt).toBe("badrequest");
  });

  it("times out a receiver that never answers, and interrupts one at once when asked", async () => {
    const silent = await send("hang");
    expect(silent.result).toEqual({
      outcome: "timeout",
      statusCode: null,
      excerpt: null,
      error: "no answer within 300 ms",
    });
    const stop = new AbortController();
    const r = await receiver("hang");
    const pending = sendWebhook({
      url: r.url,
      body: "{}",
      headers: HEADERS,
      timeoutMs: 60_000,
      allowPrivate: true,
      signal: stop.signal,
    });
    await r.waitFor(1);
    stop.abort();
    expect(await pending).toMatchObject({
      outcome: "network_error",
      error: "interrupted: Malipo is shutting down",
    });
    const already = await send({ status: 200 }, { signal: AbortSignal.abort() });
    expect(already.result.outcome).toBe("network_error");
  });

  it("reports a refused connection as a network error and refuses what it may not contact", async () => {
    const closed = await sendWebhook({
      url: "http://127.0.0.1:9/nothing",
      body: "{}",
      headers: HEADERS,
      timeoutMs: 2_000,
      allowPrivate: true,
    });
    expect(closed).toMatchObject({ outcome: "network_error", statusCode: null });
    const strict = await sendWebhook({
      url: "https://10.0.0.1/hook",
      body: "{}",
      headers: HEADERS,
      timeoutMs: 2_000,
      allowPrivate: false,
    });
    expect(strict).toEqual({
      outcome: "refused",
      statusCode: null,
      excerpt: null,
      error: "the endpoint URL 10.0.0.1 is not a public address",
    });
  });
});
