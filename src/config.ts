/**
 * Every environment variable Malipo reads, parsed and validated once at start-up.
 * `loadConfig(env)` either returns a frozen, typed config or throws a ConfigError naming each bad
 * variable. Secrets are wrapped in `Secret` and never appear in messages.
 */
import { randomBytes } from "node:crypto";
import { type InitiatorConfig, readInitiator } from "./config-initiator.ts";
import { type Env, Reader } from "./config-reader.ts";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "./daraja/password.ts";
import type { TransactionType } from "./daraja/wire.ts";
import { DatabaseUrlError, parseDatabaseUrl } from "./db/database-url.ts";
import { isNonPublicHost, parseTrustProxy, type TrustProxy } from "./network.ts";
import { Secret } from "./secret.ts";

export type { InitiatorConfig };

export type MpesaEnvironment = "emulator" | "sandbox" | "production";
export type PayoutApproval = "auto" | "admin";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface EmulatorCredentials {
  consumerKey: string;
  consumerSecret: Secret;
}

export interface Config {
  port: number;
  host: string;
  /** Which peers' X-Forwarded-For to believe: none, a hop count, or proxy addresses/networks. */
  trustProxy: TrustProxy;
  databaseUrl: string;
  publicBaseUrl: string;
  jwtSecret: Secret;
  jwtExpiresIn: string;
  callbackSecret: Secret;
  bookingFeeKes: number;
  /** Multiplies Malipo's waits (status queries, result waits, webhook retries); 1 outside tests. */
  timeScale: number;
  logLevel: LogLevel;
  metricsToken: Secret | null;
  admin: { email: string; password: Secret } | null;
  mpesa: {
    environment: MpesaEnvironment;
    baseUrl: string;
    consumerKey: string;
    consumerSecret: Secret;
    passkey: Secret;
    shortcode: string;
    transactionType: TransactionType;
    partyB: string;
    callbackUrl: string | null;
    verifyCallbacks: boolean;
    /** Optional allow-list of callback source addresses; empty means "log only". */
    callbackAllowedIps: readonly string[];
    timeoutMs: number;
    /** The API operator that sends money out (B2C, Reversal) and asks Transaction Status. */
    initiator: InitiatorConfig;
    /** Requests per second toward Daraja (pushes, queries, tokens) and how many may go at once after a pause. */
    rateLimit: { perSecond: number; burst: number };
  };
  emulator: {
    port: number;
    consumerKey: string;
    consumerSecret: Secret;
    timeScale: number;
    strictTimestamp: boolean;
    /** Lifetime of the access tokens it issues (`expires_in`). */
    tokenTtlSeconds: number;
    /** Sessions, conversations and transactions it keeps; null: its defaults. */
    maxRecords: number | null;
    /**
     * Start it in this process (emulator mode). Off: Malipo talks to a separately run emulator at
     * MPESA_BASE_URL (`npm run emulator`) and keeps none of an emulator's state itself.
     */
    embedded: boolean;
  };
  reconciler: { enabled: boolean; intervalMs: number };
  /** The payout submitter: sends due payouts and refunds to Daraja, asks Transaction Status. */
  payouts: { submitterEnabled: boolean; intervalMs: number };
  /** How often each process checks the books (entries sum to zero, escrow = Σ held fees). */
  ledgerCheckIntervalMs: number;
  /** How long a graceful shutdown may take before the process exits anyway (with status 1). */
  shutdownTimeoutMs: number;
  escrow: {
    /** The platform's share of a released booking fee, in percent (rounded down to whole KES). */
    commissionPercent: number;
    /** `admin`: payouts wait in `queued` until an admin approves them. */
    payoutApproval: PayoutApproval;
  };
  reconciliation: {
    /** Largest statement an admin may upload (`POST /admin/reconciliations`), bytes. */
    statementMaxBytes: number;
    /** How often to ask the Account Balance API (0: only when an admin asks). */
    balanceIntervalMs: number;
  };
  webhooks: {
    /** Deliver in this process (the worker); admins manage endpoints either way. */
    deliveryEnabled: boolean;
    /** Allow endpoints on loopback/private addresses and plain http (default on in emulator mode). */
    allowPrivate: boolean;
    timeoutMs: number;
    sweepIntervalMs: number;
    /** How long a rotated-out secret keeps signing, unless the rotation asks otherwise. */
    secretOverlapMs: number;
  };
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Documented defaults of the emulator's OAuth credentials (not secrets: they only open the local emulator). */
export const EMULATOR_DEFAULT_CONSUMER_KEY = "malipo-emulator-key";
export const EMULATOR_DEFAULT_CONSUMER_SECRET = "malipo-emulator-secret";

const DARAJA_BASE_URLS: Record<Exclude<MpesaEnvironment, "emulator">, string> = {
  sandbox: "https://sandbox.safaricom.co.ke",
  production: "https://api.safaricom.co.ke",
};

/** Daraja calls back over the internet: live, the URL it is given must be HTTPS on a public host. */
function callbackBaseProblem(name: string, value: string, environment: MpesaEnvironment): string | null {
  const url = new URL(value);
  const why =
    url.protocol !== "https:"
      ? "it is not https"
      : isNonPublicHost(url.hostname)
        ? `${url.hostname} is a loopback, private or internal address`
        : null;
  return why === null
    ? null
    : `${name} must be a public https:// URL when MPESA_ENVIRONMENT=${environment}: Daraja calls back there, and ${why} (got "${value}")`;
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const r = new Reader(env);
  const environment = r.oneOf<MpesaEnvironment>(
    "MPESA_ENVIRONMENT",
    ["emulator", "sandbox", "production"],
    "emulator",
  );
  const live = environment !== "emulator";
  const needed = `when MPESA_ENVIRONMENT=${environment}`;

  const port = r.int("PORT", 3000, 0, 65535);
  const host = r.string("HOST", "127.0.0.1");
  const emulatorPort = r.int("MPESA_EMULATOR_PORT", 3001, 0, 65535);
  const emulatorKey = r.string("EMULATOR_CONSUMER_KEY", EMULATOR_DEFAULT_CONSUMER_KEY);
  const emulatorSecret = r.secret("EMULATOR_CONSUMER_SECRET", EMULATOR_DEFAULT_CONSUMER_SECRET);

  // In emulator mode a random per-process secret is safe: tokens and callback signatures only need
  // to outlive the process. Live modes must configure stable secrets.
  const devSecret = () => randomBytes(32).toString("hex");
  const jwtSecret = r.secret("JWT_SECRET", live ? null : devSecret(), needed);
  const callbackSecret = r.secret("CALLBACK_SECRET", live ? null : devSecret(), needed);
  if (live && jwtSecret.reveal().length > 0 && jwtSecret.reveal().length < 32)
    r.problems.push("JWT_SECRET must be at least 32 characters");
  if (live && callbackSecret.reveal().length > 0 && callbackSecret.reveal().length < 32)
    r.problems.push("CALLBACK_SECRET must be at least 32 characters");

  const defaultBase = live
    ? DARAJA_BASE_URLS[environment as Exclude<MpesaEnvironment, "emulator">]
    : `http://127.0.0.1:${emulatorPort}`;
  const shortcode = live
    ? r.required("MPESA_SHORTCODE", needed)
    : r.string("MPESA_SHORTCODE", SANDBOX_SHORTCODE);
  if (shortcode && !/^\d{5,7}$/.test(shortcode))
    r.problems.push(`MPESA_SHORTCODE must be 5 to 7 digits (got "${shortcode}")`);
  const transactionType = r.oneOf<TransactionType>(
    "MPESA_TRANSACTION_TYPE",
    ["CustomerPayBillOnline", "CustomerBuyGoodsOnline"],
    "CustomerPayBillOnline",
  );
  const partyB = r.string("MPESA_PARTY_B", shortcode);
  if (transactionType === "CustomerBuyGoodsOnline" && r.raw("MPESA_PARTY_B") === undefined)
    r.problems.push(
      "MPESA_PARTY_B (the till number) is required when MPESA_TRANSACTION_TYPE=CustomerBuyGoodsOnline",
    );

  const initiator = readInitiator(r, { live, needed, shortcode });

  const callbackUrlRaw = r.raw("MPESA_CALLBACK_URL");
  const noCallbackBase = r.raw("PUBLIC_BASE_URL") === undefined && callbackUrlRaw === undefined;
  if (noCallbackBase && live)
    r.problems.push(`PUBLIC_BASE_URL is required ${needed} (the public https:// address Daraja calls back)`);
  else if (noCallbackBase && port === 0)
    r.problems.push("PUBLIC_BASE_URL is required when PORT=0 (Daraja must know where to call back)");
  const urlProblems = r.problems.length;
  const publicBaseUrl = r.url("PUBLIC_BASE_URL", `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`);
  const callbackUrl = callbackUrlRaw === undefined ? null : r.url("MPESA_CALLBACK_URL", "");
  if (live && !noCallbackBase && r.problems.length === urlProblems) {
    const problem = callbackBaseProblem(
      callbackUrl === null ? "PUBLIC_BASE_URL" : "MPESA_CALLBACK_URL",
      callbackUrl ?? publicBaseUrl,
      environment,
    );
    if (problem) r.problems.push(problem);
  }
  const adminEmail = r.raw("ADMIN_EMAIL");
  const adminPassword = r.raw("ADMIN_PASSWORD");
  if ((adminEmail === undefined) !== (adminPassword === undefined))
    r.problems.push("ADMIN_EMAIL and ADMIN_PASSWORD must be set together");
  if (adminPassword !== undefined && adminPassword.length < 8)
    r.problems.push("ADMIN_PASSWORD must be at least 8 characters");
  // Outside the emulator /metrics shows payment volumes and error rates: it is never left open.
  const metricsToken = live
    ? r.secret("METRICS_TOKEN", null, `${needed} (GET /metrics would otherwise be public)`)
    : r.raw("METRICS_TOKEN");
  if (
    live &&
    typeof metricsToken === "object" &&
    metricsToken.reveal().length > 0 &&
    metricsToken.reveal().length < 16
  )
    r.problems.push("METRICS_TOKEN must be at least 16 characters");
  let trustProxy: TrustProxy = false;
  try {
    trustProxy = parseTrustProxy(r.raw("TRUST_PROXY")?.toLowerCase());
  } catch (error) {
    r.problems.push(`TRUST_PROXY ${(error as Error).message}`);
  }
  // Only against the emulator, whose own delays are compressed alike: live, Daraja's are real.
  const timeScale = r.number("MALIPO_TIME_SCALE", 1, 0.001, 1);
  if (live && timeScale !== 1)
    r.problems.push(
      `MALIPO_TIME_SCALE must be 1 ${needed}: it compresses waits for runs against the emulator`,
    );
  const databaseUrl = r.string("DATABASE_URL", "./data/malipo.sqlite");
  try {
    parseDatabaseUrl(databaseUrl);
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    r.problems.push(error.message);
  }

  const config: Config = {
    port,
    host,
    trustProxy,
    databaseUrl,
    publicBaseUrl,
    jwtSecret,
    jwtExpiresIn: r.string("JWT_EXPIRES_IN", "12h"),
    callbackSecret,
    bookingFeeKes: r.int("BOOKING_FEE_KES", 500, 1, 250_000),
    timeScale,
    logLevel: r.oneOf<LogLevel>(
      "LOG_LEVEL",
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
      "info",
    ),
    metricsToken:
      metricsToken === undefined
        ? null
        : typeof metricsToken === "string"
          ? new Secret(metricsToken)
          : metricsToken,
    admin:
      adminEmail && adminPassword
        ? { email: adminEmail.toLowerCase(), password: new Secret(adminPassword) }
        : null,
    mpesa: {
      environment,
      baseUrl: r.url("MPESA_BASE_URL", defaultBase),
      consumerKey: live
        ? r.required("MPESA_CONSUMER_KEY", needed)
        : r.string("MPESA_CONSUMER_KEY", emulatorKey),
      consumerSecret: r.secret("MPESA_CONSUMER_SECRET", live ? null : emulatorSecret.reveal(), needed),
      passkey: r.secret("MPESA_PASSKEY", live ? null : SANDBOX_PASSKEY, needed),
      shortcode,
      transactionType,
      partyB,
      callbackUrl,
      verifyCallbacks: r.bool("MPESA_VERIFY_CALLBACKS", true),
      callbackAllowedIps: (r.raw("MPESA_CALLBACK_ALLOWED_IPS") ?? "")
        .split(",")
        .map((ip) => ip.trim())
        .filter(Boolean),
      timeoutMs: r.int("MPESA_TIMEOUT_MS", 15_000, 100, 120_000),
      initiator,
      // Safaricom publishes no rate, and going past an app's grant trips spike arrest (500.003.02):
      // the defaults are modest; set them to what your app is granted.
      rateLimit: {
        perSecond: r.number("MPESA_RATE_LIMIT_PER_SECOND", 5, 0.1, 10_000),
        burst: r.int("MPESA_RATE_LIMIT_BURST", 5, 1, 10_000),
      },
    },
    emulator: {
      port: emulatorPort,
      consumerKey: emulatorKey,
      consumerSecret: emulatorSecret,
      timeScale: r.number("EMULATOR_TIME_SCALE", 1, 0.0001, 100),
      strictTimestamp: r.bool("EMULATOR_STRICT_TIMESTAMP", false),
      tokenTtlSeconds: r.int("EMULATOR_TOKEN_TTL_SECONDS", 3599, 1, 86_400),
      maxRecords:
        r.raw("EMULATOR_MAX_RECORDS") === undefined ? null : r.int("EMULATOR_MAX_RECORDS", 0, 1, 10_000_000),
      embedded: !live && r.bool("MPESA_EMULATOR_EMBEDDED", true),
    },
    reconciler: {
      enabled: r.bool("RECONCILER_ENABLED", true),
      intervalMs: r.int("RECONCILER_INTERVAL_MS", 5_000, 50, 3_600_000),
    },
    payouts: {
      submitterEnabled: r.bool("PAYOUT_SUBMITTER_ENABLED", true),
      intervalMs: r.int("PAYOUT_SUBMITTER_INTERVAL_MS", 5_000, 50, 3_600_000),
    },
    ledgerCheckIntervalMs: r.int("LEDGER_CHECK_INTERVAL_MS", 60_000, 1_000, 86_400_000),
    shutdownTimeoutMs: r.int("SHUTDOWN_TIMEOUT_MS", 10_000, 100, 600_000),
    escrow: {
      commissionPercent: r.int("PLATFORM_COMMISSION_PERCENT", 10, 0, 100),
      payoutApproval: r.oneOf<PayoutApproval>("PAYOUT_APPROVAL", ["auto", "admin"], "auto"),
    },
    reconciliation: {
      statementMaxBytes: r.int("STATEMENT_UPLOAD_MAX_MB", 10, 1, 64) * 1024 * 1024,
      balanceIntervalMs: r.int("ACCOUNT_BALANCE_INTERVAL_MS", 3_600_000, 0, 86_400_000),
    },
    webhooks: {
      deliveryEnabled: r.bool("WEBHOOKS_DELIVERY_ENABLED", true),
      allowPrivate: r.bool("WEBHOOKS_ALLOW_PRIVATE", !live),
      timeoutMs: r.int("WEBHOOKS_TIMEOUT_MS", 10_000, 100, 60_000),
      sweepIntervalMs: r.int("WEBHOOKS_SWEEP_INTERVAL_MS", 5_000, 50, 3_600_000),
      secretOverlapMs: r.int("WEBHOOKS_SECRET_OVERLAP_HOURS", 24, 0, 720) * 3_600_000,
    },
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}
