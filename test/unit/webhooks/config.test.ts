/** The WEBHOOKS_* variables: defaults per environment, and a clear refusal of bad values. */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.ts";

const live = {
  MPESA_ENVIRONMENT: "production",
  MPESA_CONSUMER_KEY: "key-abc",
  MPESA_CONSUMER_SECRET: "consumer-secret-value",
  MPESA_PASSKEY: "passkey-value-123",
  MPESA_SHORTCODE: "174379",
  JWT_SECRET: "j".repeat(40),
  CALLBACK_SECRET: "c".repeat(40),
  PUBLIC_BASE_URL: "https://pay.example.com",
  METRICS_TOKEN: "m".repeat(24),
  MPESA_B2C_SHORTCODE: "600000",
  MPESA_INITIATOR_NAME: "malipo-api",
  MPESA_SECURITY_CREDENTIAL: "s".repeat(40),
};

describe("webhook configuration", () => {
  it("allows private addresses in emulator mode only, by default", () => {
    expect(loadConfig({}).webhooks).toEqual({
      deliveryEnabled: true,
      allowPrivate: true,
      timeoutMs: 10_000,
      sweepIntervalMs: 5_000,
      secretOverlapMs: 24 * 3_600_000,
    });
    expect(loadConfig(live).webhooks.allowPrivate).toBe(false);
    expect(loadConfig({ ...live, WEBHOOKS_ALLOW_PRIVATE: "true" }).webhooks.allowPrivate).toBe(true);
    expect(loadConfig({ WEBHOOKS_ALLOW_PRIVATE: "false" }).webhooks.allowPrivate).toBe(false);
  });

  it("reads timeouts, the sweep, the overlap and whether this process delivers", () => {
    const c = loadConfig({
      WEBHOOKS_TIMEOUT_MS: "2500",
      WEBHOOKS_SWEEP_INTERVAL_MS: "1000",
      WEBHOOKS_SECRET_OVERLAP_HOURS: "0",
      WEBHOOKS_DELIVERY_ENABLED: "false",
    });
    expect(c.webhooks).toEqual({
      deliveryEnabled: false,
      allowPrivate: true,
      timeoutMs: 2_500,
      sweepIntervalMs: 1_000,
      secretOverlapMs: 0,
    });
  });

  it("names every bad value", () => {
    try {
      loadConfig({
        WEBHOOKS_ALLOW_PRIVATE: "maybe",
        WEBHOOKS_TIMEOUT_MS: "10s",
        WEBHOOKS_SWEEP_INTERVAL_MS: "0",
        WEBHOOKS_SECRET_OVERLAP_HOURS: "1000",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of [
        "WEBHOOKS_ALLOW_PRIVATE must be true or false",
        "WEBHOOKS_TIMEOUT_MS must be a whole number from 100 to 60000",
        "WEBHOOKS_SWEEP_INTERVAL_MS must be a whole number from 50",
        "WEBHOOKS_SECRET_OVERLAP_HOURS must be a whole number from 0 to 720",
      ])
        expect(problems).toContain(name);
    }
  });
});
