import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.ts";

const live = {
  MPESA_ENVIRONMENT: "sandbox",
  MPESA_CONSUMER_KEY: "key-abc",
  MPESA_CONSUMER_SECRET: "consumer-secret-value",
  MPESA_PASSKEY: "passkey-value-123",
  MPESA_SHORTCODE: "174379",
  JWT_SECRET: "j".repeat(40),
  CALLBACK_SECRET: "c".repeat(40),
  PUBLIC_BASE_URL: "https://pay.example.com",
  METRICS_TOKEN: "m".repeat(24),
  MPESA_B2C_SHORTCODE: "600992",
  MPESA_INITIATOR_NAME: "malipo_api",
  MPESA_SECURITY_CREDENTIAL: "U2VjdXJpdHlDcmVkZW50aWFsVmFsdWU=",
};

describe("loadConfig", () => {
  it("gives a working emulator configuration with no environment at all", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe("127.0.0.1");
    expect(c.mpesa.environment).toBe("emulator");
    expect(c.mpesa.baseUrl).toBe("http://127.0.0.1:3001");
    expect(c.mpesa.shortcode).toBe("174379");
    expect(c.bookingFeeKes).toBe(500);
    expect(c.databaseUrl).toBe("./data/malipo.sqlite");
    expect(c.mpesa.verifyCallbacks).toBe(true);
    expect(c.shutdownTimeoutMs).toBe(10_000);
    expect(c.trustProxy).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("reads the rate toward Daraja, 5 per second and 5 at once unless set, and refuses nonsense", () => {
    expect(loadConfig({}).mpesa.rateLimit).toEqual({ perSecond: 5, burst: 5 });
    expect(
      loadConfig({ MPESA_RATE_LIMIT_PER_SECOND: "250", MPESA_RATE_LIMIT_BURST: "50" }).mpesa.rateLimit,
    ).toEqual({ perSecond: 250, burst: 50 });
    expect(loadConfig({ MPESA_RATE_LIMIT_PER_SECOND: "0.5" }).mpesa.rateLimit.perSecond).toBe(0.5);
    for (const env of [
      { MPESA_RATE_LIMIT_PER_SECOND: "0" },
      { MPESA_RATE_LIMIT_PER_SECOND: "fast" },
      { MPESA_RATE_LIMIT_BURST: "0" },
      { MPESA_RATE_LIMIT_BURST: "2.5" },
    ])
      expect(() => loadConfig(env)).toThrow(/MPESA_RATE_LIMIT_/);
  });

  it("follows MPESA_EMULATOR_PORT for the emulator's base URL", () => {
    expect(loadConfig({ MPESA_EMULATOR_PORT: "4555" }).mpesa.baseUrl).toBe("http://127.0.0.1:4555");
  });

  it("refuses to start live without credentials and names each missing variable", () => {
    try {
      loadConfig({ MPESA_ENVIRONMENT: "production" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const message = (e as Error).message;
      for (const name of [
        "MPESA_CONSUMER_KEY",
        "MPESA_CONSUMER_SECRET",
        "MPESA_PASSKEY",
        "MPESA_SHORTCODE",
        "JWT_SECRET",
        "CALLBACK_SECRET",
        "METRICS_TOKEN",
        "PUBLIC_BASE_URL",
        "MPESA_B2C_SHORTCODE",
        "MPESA_INITIATOR_NAME",
        "MPESA_SECURITY_CREDENTIAL",
      ])
        expect(message).toContain(name);
    }
  });

  it("uses the real Daraja hosts live", () => {
    expect(loadConfig(live).mpesa.baseUrl).toBe("https://sandbox.safaricom.co.ke");
    expect(loadConfig({ ...live, MPESA_ENVIRONMENT: "production" }).mpesa.baseUrl).toBe(
      "https://api.safaricom.co.ke",
    );
    expect(loadConfig({ ...live, MPESA_BASE_URL: "http://127.0.0.1:9999/" }).mpesa.baseUrl).toBe(
      "http://127.0.0.1:9999",
    );
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["BOOKING_FEE_KES", "12.5"],
    ["BOOKING_FEE_KES", "0"],
    ["MPESA_ENVIRONMENT", "staging"],
    ["MPESA_TRANSACTION_TYPE", "PayBill"],
    ["MPESA_VERIFY_CALLBACKS", "maybe"],
    ["PUBLIC_BASE_URL", "not a url"],
    ["EMULATOR_TIME_SCALE", "-1"],
    ["LOG_LEVEL", "loud"],
    ["EMULATOR_TOKEN_TTL_SECONDS", "0"],
    ["EMULATOR_MAX_RECORDS", "0"],
    ["EMULATOR_MAX_RECORDS", "many"],
    ["MPESA_EMULATOR_EMBEDDED", "sometimes"],
    ["MPESA_SHORTCODE", "12"],
    ["SHUTDOWN_TIMEOUT_MS", "5"],
    ["DATABASE_URL", "mysql://root@db/malipo"],
    ["DATABASE_URL", "file://fileserver/share/malipo.sqlite"],
  ])("rejects %s=%s with a message naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it("keeps the emulator's own record sizes unless EMULATOR_MAX_RECORDS says otherwise", () => {
    expect(loadConfig({}).emulator.maxRecords).toBeNull();
    expect(loadConfig({ EMULATOR_MAX_RECORDS: "1000000" }).emulator.maxRecords).toBe(1_000_000);
  });

  it("starts the emulator in this process unless MPESA_EMULATOR_EMBEDDED=false", () => {
    expect(loadConfig({}).emulator.embedded).toBe(true);
    expect(loadConfig({ MPESA_EMULATOR_EMBEDDED: "false" }).emulator.embedded).toBe(false);
  });

  it("sends money out as the emulator's operator by default, its certificate made at start-up", () => {
    expect(loadConfig({}).mpesa.initiator).toEqual({
      b2cShortcode: "174379",
      name: "testapi",
      securityCredential: null,
      password: expect.objectContaining({}),
      certificatePath: null,
    });
    expect(loadConfig({}).mpesa.initiator.password?.reveal()).toBe("Safaricom999!*!");
    expect(loadConfig({}).payouts).toEqual({ submitterEnabled: true, intervalMs: 5_000 });
  });

  it("live, takes the portal's SecurityCredential, or a password with M-Pesa's certificate, never both", () => {
    const { MPESA_SECURITY_CREDENTIAL: credential, ...withoutCredential } = live;
    expect(loadConfig(live).mpesa.initiator).toMatchObject({
      b2cShortcode: "600992",
      name: "malipo_api",
      password: null,
      certificatePath: null,
    });
    expect(loadConfig(live).mpesa.initiator.securityCredential?.reveal()).toBe(credential);
    const withPassword = loadConfig({
      ...withoutCredential,
      MPESA_INITIATOR_PASSWORD: "initiator-password-1",
      MPESA_CERTIFICATE_PATH: "/etc/malipo/mpesa.cer",
    }).mpesa.initiator;
    expect(withPassword).toMatchObject({
      securityCredential: null,
      certificatePath: "/etc/malipo/mpesa.cer",
    });
    expect(withPassword.password?.reveal()).toBe("initiator-password-1");
    expect(() => loadConfig(withoutCredential)).toThrow(
      "MPESA_SECURITY_CREDENTIAL is required when MPESA_ENVIRONMENT=sandbox (or MPESA_INITIATOR_PASSWORD with MPESA_CERTIFICATE_PATH)",
    );
    expect(() =>
      loadConfig({ ...withoutCredential, MPESA_INITIATOR_PASSWORD: "initiator-password-1" }),
    ).toThrow("MPESA_CERTIFICATE_PATH is required with MPESA_INITIATOR_PASSWORD");
    expect(() => loadConfig({ ...live, MPESA_INITIATOR_PASSWORD: "initiator-password-1" })).toThrow(
      "not both",
    );
    expect(() => loadConfig({ ...live, MPESA_SECURITY_CREDENTIAL: "not base64!" })).toThrow(
      "MPESA_SECURITY_CREDENTIAL must be the base64 text",
    );
    expect(() => loadConfig({ MPESA_CERTIFICATE_PATH: "/etc/mpesa.cer" })).toThrow(
      "MPESA_CERTIFICATE_PATH needs MPESA_INITIATOR_PASSWORD",
    );
    // A refused password is never echoed.
    try {
      loadConfig({ ...live, MPESA_INITIATOR_PASSWORD: "initiator-password-1" });
    } catch (e) {
      expect((e as Error).message).not.toContain("initiator-password-1");
    }
  });

  it.each([
    ["MPESA_B2C_SHORTCODE", "12"],
    ["MPESA_INITIATOR_NAME", "bad name!"],
    ["PAYOUT_SUBMITTER_ENABLED", "sometimes"],
    ["PAYOUT_SUBMITTER_INTERVAL_MS", "10"],
  ])("rejects %s=%s with a message naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it("asks where Daraja should call back when the port is chosen at random", () => {
    expect(() => loadConfig({ PORT: "0" })).toThrow("PUBLIC_BASE_URL is required when PORT=0");
    expect(loadConfig({ PORT: "0", PUBLIC_BASE_URL: "https://pay.example.com" }).publicBaseUrl).toBe(
      "https://pay.example.com",
    );
  });

  it("requires a till number for buy-goods", () => {
    expect(() => loadConfig({ MPESA_TRANSACTION_TYPE: "CustomerBuyGoodsOnline" })).toThrow("MPESA_PARTY_B");
    const c = loadConfig({ MPESA_TRANSACTION_TYPE: "CustomerBuyGoodsOnline", MPESA_PARTY_B: "600000" });
    expect(c.mpesa.partyB).toBe("600000");
  });

  it("never shows a secret in messages, JSON or inspection", () => {
    const c = loadConfig(live);
    const dump = `${JSON.stringify(c)} ${inspect(c, { depth: 10 })} ${String(c.mpesa.passkey)}`;
    for (const secret of [
      "consumer-secret-value",
      "passkey-value-123",
      "j".repeat(40),
      "c".repeat(40),
      "m".repeat(24),
      "U2VjdXJpdHlDcmVkZW50aWFsVmFsdWU=",
    ])
      expect(dump).not.toContain(secret);
    expect(c.mpesa.passkey.reveal()).toBe("passkey-value-123");
    try {
      loadConfig({ ...live, JWT_SECRET: "short-secret-xyz" });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain("JWT_SECRET");
      expect((e as Error).message).not.toContain("short-secret-xyz");
    }
  });

  it("reads TRUST_PROXY as a hop count or a list of proxy addresses and networks", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 192.168.1.10,fd00::/8, loopback" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "192.168.1.10",
      "fd00::/8",
      "loopback",
    ]);
  });

  it.each(["true", "yes", "10.0.0.0/33", "300.1.1.1", "proxy.internal", "10.0.0.0/8,bad", "-1", "1000"])(
    "refuses TRUST_PROXY=%s, naming it",
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow("TRUST_PROXY");
    },
  );

  it.each(["sandbox", "production"])("requires a METRICS_TOKEN of 16+ characters when %s", (environment) => {
    const { METRICS_TOKEN: _token, ...rest } = live;
    expect(() => loadConfig({ ...rest, MPESA_ENVIRONMENT: environment })).toThrow(
      `METRICS_TOKEN is required when MPESA_ENVIRONMENT=${environment}`,
    );
    expect(() => loadConfig({ ...live, MPESA_ENVIRONMENT: environment, METRICS_TOKEN: "short" })).toThrow(
      "METRICS_TOKEN must be at least 16 characters",
    );
    expect(loadConfig({ ...live, MPESA_ENVIRONMENT: environment }).metricsToken?.reveal()).toBe(
      "m".repeat(24),
    );
    // The emulator keeps /metrics open unless a token is set.
    expect(loadConfig({}).metricsToken).toBeNull();
  });

  it.each([
    ["PUBLIC_BASE_URL", "http://pay.example.com"],
    ["PUBLIC_BASE_URL", "https://127.0.0.1:3000"],
    ["PUBLIC_BASE_URL", "https://localhost"],
    ["PUBLIC_BASE_URL", "https://10.1.2.3"],
    ["PUBLIC_BASE_URL", "https://192.168.0.10:8443"],
    ["PUBLIC_BASE_URL", "https://[::1]:3000"],
    ["PUBLIC_BASE_URL", "https://[fd12::1]"],
    ["PUBLIC_BASE_URL", "https://[::ffff:127.0.0.1]"],
    ["PUBLIC_BASE_URL", "https://malipo"],
    ["PUBLIC_BASE_URL", "https://pay.internal"],
    ["MPESA_CALLBACK_URL", "http://pay.example.com/api/v1/payments/mpesa/callback"],
    ["MPESA_CALLBACK_URL", "https://172.20.0.5/api/v1/payments/mpesa/callback"],
  ])("live, refuses a callback base %s=%s that Daraja cannot reach over HTTPS, naming it", (name, value) => {
    for (const environment of ["sandbox", "production"])
      expect(() => loadConfig({ ...live, MPESA_ENVIRONMENT: environment, [name]: value })).toThrow(
        new RegExp(`${name} must be a public https:// URL when MPESA_ENVIRONMENT=${environment}`),
      );
  });

  it("live, checks the callback URL Daraja will really use, and needs one", () => {
    const { PUBLIC_BASE_URL: _base, ...rest } = live;
    expect(() => loadConfig(rest)).toThrow("PUBLIC_BASE_URL is required when MPESA_ENVIRONMENT=sandbox");
    // An internal PUBLIC_BASE_URL is fine when the callback URL itself is public.
    const c = loadConfig({
      ...live,
      PUBLIC_BASE_URL: "http://10.0.0.4:3000",
      MPESA_CALLBACK_URL: "https://pay.example.com/api/v1/payments/mpesa/callback",
    });
    expect(c.mpesa.callbackUrl).toBe("https://pay.example.com/api/v1/payments/mpesa/callback");
    expect(loadConfig({ ...live, PUBLIC_BASE_URL: "https://203.0.113.10" }).publicBaseUrl).toBe(
      "https://203.0.113.10",
    );
    // The emulator calls back over loopback.
    expect(loadConfig({ PUBLIC_BASE_URL: "http://127.0.0.1:3000" }).publicBaseUrl).toBe(
      "http://127.0.0.1:3000",
    );
  });

  it("requires ADMIN_EMAIL and ADMIN_PASSWORD together", () => {
    expect(() => loadConfig({ ADMIN_EMAIL: "a@b.co" })).toThrow("ADMIN_EMAIL and ADMIN_PASSWORD");
    expect(loadConfig({ ADMIN_EMAIL: "A@B.co", ADMIN_PASSWORD: "long-enough" }).admin?.email).toBe("a@b.co");
  });
});
