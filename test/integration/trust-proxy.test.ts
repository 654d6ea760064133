/**
 * TRUST_PROXY: behind a load balancer the per-address limits and the callback allow-list must see the
 * client's address from X-Forwarded-For, and only when the peer is a proxy we trust; otherwise the
 * header is anyone's to forge and is ignored.
 */
import { describe, expect, it } from "vitest";
import {
  expectError,
  type StartTestAppOptions,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from "../support/app.ts";
import { testEngine } from "../support/db.ts";

const limits = { loginPerAddress: { max: 3, timeWindowMs: 60_000 } };

async function withApp(options: StartTestAppOptions, run: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await startTestApp(options);
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

/** A failed sign-in from `remoteAddress` (the TCP peer) claiming to forward for `forwardedFor`. */
function login(t: TestApp, remoteAddress: string, forwardedFor?: string) {
  return t.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    remoteAddress,
    headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
    payload: { email: uniqueEmail("guess"), password: "wrong-password" },
  });
}

describe(`TRUST_PROXY (${testEngine()})`, () => {
  it("without it, X-Forwarded-For is ignored: forging it does not buy more attempts", async () => {
    await withApp({ rateLimits: limits }, async (t) => {
      for (let i = 0; i < 3; i++)
        expectError(await login(t, "198.51.100.7", `203.0.113.${i}`), 401, "INVALID_CREDENTIALS");
      expectError(await login(t, "198.51.100.7", "203.0.113.99"), 429, "RATE_LIMITED");
    });
  });

  it("with a hop count, each client behind the load balancer has its own per-address limit", async () => {
    await withApp({ rateLimits: limits, config: { TRUST_PROXY: "1" } }, async (t) => {
      for (let i = 0; i < 3; i++)
        expectError(await login(t, "10.0.0.5", "203.0.113.1"), 401, "INVALID_CREDENTIALS");
      expectError(await login(t, "10.0.0.5", "203.0.113.1"), 429, "RATE_LIMITED");
      // Same load balancer, another customer.
      expectError(await login(t, "10.0.0.5", "203.0.113.2"), 401, "INVALID_CREDENTIALS");
      // One hop: whatever the client wrote before the proxy's own entry is not believed.
      expectError(await login(t, "10.0.0.5", "203.0.113.77, 203.0.113.1"), 429, "RATE_LIMITED");
    });
  });

  it("with a list, only those proxies are believed", async () => {
    await withApp({ rateLimits: limits, config: { TRUST_PROXY: "10.0.0.0/8" } }, async (t) => {
      // Four customers behind the proxy, one attempt each: none shares another's budget.
      for (let i = 0; i < 4; i++)
        expectError(await login(t, "10.1.2.3", `203.0.113.${i}`), 401, "INVALID_CREDENTIALS");
      // A peer outside the list is the client itself, whatever it forwards.
      for (let i = 0; i < 3; i++)
        expectError(await login(t, "198.51.100.9", `203.0.113.${i}`), 401, "INVALID_CREDENTIALS");
      expectError(await login(t, "198.51.100.9", "203.0.113.50"), 429, "RATE_LIMITED");
    });
  });

  it("the callback allow-list checks the address the load balancer forwards for", async () => {
    const daraja = "196.201.214.200";
    await withApp({ config: { TRUST_PROXY: "127.0.0.1", MPESA_CALLBACK_ALLOWED_IPS: daraja } }, async (t) => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/payments/mpesa/callback?tx=tx_unknown&sig=forged",
        remoteAddress: "127.0.0.1",
        headers: { "content-type": "application/json", "x-forwarded-for": daraja },
        payload: JSON.stringify({ Body: { stkCallback: {} } }),
      });
      const error = expectError(res, 403, "CALLBACK_REJECTED");
      expect(error.message).not.toContain("source address");
      const stored = await t.db.db.kysely.selectFrom("mpesa_callbacks").select("source_ip").execute();
      expect(stored).toEqual([{ source_ip: daraja }]);
    });
  });
});
