import { describe, expect, it } from "vitest";
import { signedCallbackUrl, verifyCallbackSignature } from "../../../src/payments/callback-url.ts";
import { Secret } from "../../../src/secret.ts";

describe("callback URL signature", () => {
  const config = {
    publicBaseUrl: "https://malipo.example",
    callbackSecret: new Secret("s".repeat(32)),
    callbackUrl: null,
  };
  it("signs the transaction id and verifies it timing-safely", () => {
    const url = new URL(signedCallbackUrl(config, "pay_123"));
    expect(url.pathname).toBe("/api/v1/payments/mpesa/callback");
    const sig = url.searchParams.get("sig") ?? undefined;
    expect(verifyCallbackSignature(config.callbackSecret, "pay_123", sig)).toBe(true);
    expect(verifyCallbackSignature(config.callbackSecret, "pay_124", sig)).toBe(false);
    expect(verifyCallbackSignature(new Secret("t".repeat(32)), "pay_123", sig)).toBe(false);
    expect(verifyCallbackSignature(config.callbackSecret, "pay_123", undefined)).toBe(false);
    expect(verifyCallbackSignature(config.callbackSecret, "pay_123", `${sig}x`)).toBe(false);
  });
  it("honours MPESA_CALLBACK_URL, keeping its own query", () => {
    const url = signedCallbackUrl({ ...config, callbackUrl: "https://hook.example/cb?k=1" }, "pay_1");
    expect(url).toMatch(/^https:\/\/hook\.example\/cb\?k=1&tx=pay_1&sig=/);
  });
});
