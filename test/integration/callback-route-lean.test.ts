/**
 * The STK callback route is the hottest path and only Daraja calls it: it answers without the
 * browser security headers and without Fastify's two access-log lines per request, while the
 * callback's own verdict is still logged — and every other route keeps both.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.ts";

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
    done();
  },
});
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { LOG_LEVEL: "info" }, logDestination: sink });
});
afterAll(async () => {
  await t.close();
});

it("answers a callback without browser headers or access-log lines; its verdict is still logged", async () => {
  const res = await fetch(`${t.url}/api/v1/payments/mpesa/callback?tx=pay_unknown&sig=forged`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      Body: { stkCallback: { MerchantRequestID: "m", CheckoutRequestID: "c", ResultCode: 0 } },
    }),
  });
  expect(res.status).toBe(403);
  expect((await res.json()).error.code).toBe("CALLBACK_REJECTED");
  expect(res.headers.get("content-security-policy")).toBeNull();
  const requestId = res.headers.get("x-request-id");
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  await new Promise((r) => setTimeout(r, 50));
  const ofRequest = lines.filter((l) => l.reqId === requestId);
  expect(ofRequest.map((l) => l.msg)).not.toContain("incoming request");
  expect(ofRequest.map((l) => l.msg)).not.toContain("request completed");
  expect(lines.some((l) => l.msg === "callback rejected" && l.verdict === "rejected")).toBe(true);

  // Every other route keeps its security headers and its access log.
  const health = await fetch(`${t.url}/health`);
  expect(health.headers.get("content-security-policy")).toContain("default-src 'self'");
  const healthId = health.headers.get("x-request-id");
  await new Promise((r) => setTimeout(r, 50));
  const ofHealth = lines.filter((l) => l.reqId === healthId).map((l) => l.msg);
  expect(ofHealth).toEqual(expect.arrayContaining(["incoming request", "request completed"]));
});
