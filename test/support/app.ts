/**
 * A real Malipo app for integration tests: a fresh database on the engine the Vitest project chose,
 * config from environment overrides (silent logs), the real services, listening on 127.0.0.1 at a
 * free port whose URL is also PUBLIC_BASE_URL (so callbacks come back to this app). Plus small
 * builders for users, admins and bookings.
 */
import { randomBytes } from "node:crypto";
import type { Writable } from "node:stream";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import type { Booking } from "../../src/bookings/booking.ts";
import { type Clock, systemClock } from "../../src/clock.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import type { DarajaApi, DarajaPayoutsApi } from "../../src/daraja/contract.ts";
import { createDatabase } from "../../src/db/database.ts";
import type { ErrorCode } from "../../src/errors.ts";
import { buildApp } from "../../src/http/app.ts";
import type { RateLimits } from "../../src/http/rate-limits.ts";
import { createLogger } from "../../src/logger.ts";
import { createMetrics } from "../../src/metrics.ts";
import type { PaymentTimings } from "../../src/payments/timings.ts";
import { createServices, type Services } from "../../src/services.ts";
import type { User } from "../../src/users/user.ts";
import { createTestDb, type TestDb } from "./db.ts";

export interface StartTestAppOptions {
  /** The Daraja the payment and payout services talk to; default: one that fails the test if called. */
  daraja?: DarajaApi & DarajaPayoutsApi;
  /** Environment variables for loadConfig (LOG_LEVEL defaults to silent, the reconciler to off). */
  config?: Record<string, string | undefined>;
  clock?: Clock;
  /** Per-route rate limits; sign-up is effectively unlimited by default so suites can make many users. */
  rateLimits?: Partial<RateLimits>;
  /** Serve a built web app from this directory. */
  webRoot?: string;
  /**
   * Run against this (already migrated) database through a connection of its own, as a second
   * process would; closing the app closes only that connection.
   */
  shareDatabaseOf?: TestDb;
  /** Heartbeat and re-read interval of live payment status streams. */
  liveRefreshMs?: number;
  /** Payment waits and schedules. */
  paymentTimings?: Partial<PaymentTimings>;
  /** Where the log lines go (with `config.LOG_LEVEL` set): a test that reads them passes a stream. */
  logDestination?: Writable;
}

export interface TestApp {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  url: string;
  db: TestDb;
  config: Readonly<Config>;
  services: Services;
  clock: Clock;
  close(): Promise<void>;
}

const unreachable = async (): Promise<never> => {
  throw new Error("Daraja was called, but this test gave startTestApp no daraja");
};

/** A Daraja that must not be reached: payment and payout tests pass their own. */
export const unreachableDaraja: DarajaApi & DarajaPayoutsApi = {
  stkPush: unreachable,
  stkQuery: unreachable,
  b2cPayment: unreachable,
  reversal: unreachable,
  transactionStatus: unreachable,
  accountBalance: unreachable,
};

/** Cheap scrypt for tests: hashing strength is covered by the unit tests. */
const TEST_PASSWORD_PARAMS = { N: 2 ** 10, r: 8, p: 1 };

/** A second connection to `shared`'s database, cleaned up by closing that connection only. */
function connectTo(shared: TestDb): TestDb {
  const db = createDatabase(shared.url, shared.schema ? { schema: shared.schema, poolSize: 5 } : {});
  return { db, url: shared.url, schema: shared.schema, cleanup: () => db.destroy() };
}

export async function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  const db = options.shareDatabaseOf ? connectTo(options.shareDatabaseOf) : await createTestDb();
  const clock = options.clock ?? systemClock;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const config = loadConfig({
        LOG_LEVEL: "silent",
        RECONCILER_ENABLED: "false",
        PAYOUT_SUBMITTER_ENABLED: "false",
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        ...options.config,
        PORT: String(port),
        HOST: "127.0.0.1",
      });
      const logger = createLogger(config.logLevel, options.logDestination);
      const services = createServices({
        config,
        db: db.db,
        logger,
        clock,
        daraja: options.daraja ?? unreachableDaraja,
        metrics: createMetrics(),
        passwordParams: TEST_PASSWORD_PARAMS,
        // Suites pay from Daraja's few test numbers all day long, from many accounts: the per-phone
        // daily limit for strangers has its own tests (payments-abuse.test.ts).
        paymentTimings: { strangerPromptsPerPhonePerDay: 100_000, ...options.paymentTimings },
      });
      await services.users.ensureAdminFromConfig();
      const app = await buildApp({
        config,
        logger,
        db: db.db,
        clock,
        services,
        rateLimits: { register: { max: 10_000, timeWindowMs: 60_000 }, ...options.rateLimits },
        ...(options.liveRefreshMs === undefined ? {} : { liveRefreshMs: options.liveRefreshMs }),
        ...(options.webRoot ? { webRoot: options.webRoot } : {}),
      });
      try {
        await app.listen({ host: "127.0.0.1", port });
      } catch (error) {
        await app.close();
        // Another process took the port between probing and listening: try another.
        if ((error as NodeJS.ErrnoException).code === "EADDRINUSE" && attempt < 5) continue;
        throw error;
      }
      return {
        app,
        url: `http://127.0.0.1:${port}`,
        db,
        config,
        services,
        clock,
        async close() {
          await app.close();
          await db.cleanup();
        },
      };
    }
  } catch (error) {
    await db.cleanup();
    throw error;
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** True when `url` takes no new request: connection refused, or 503 from a server that is closing. */
export function notServing(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (res) => res.status === 503,
    () => true,
  );
}

let sequence = 0;
/** A unique, valid email for this test process. */
export function uniqueEmail(label = "user"): string {
  sequence += 1;
  return `${label}.${sequence}.${randomBytes(3).toString("hex")}@example.com`;
}

export interface RegisteredUser {
  user: User;
  token: string;
  password: string;
}

export async function registerUser(
  app: FastifyInstance,
  input: {
    role?: "customer" | "technician";
    email?: string;
    password?: string;
    name?: string;
    phoneNumber?: string;
  } = {},
): Promise<RegisteredUser> {
  const password = input.password ?? "correct-horse-battery";
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/auth/register",
    payload: {
      name: input.name ?? "Wanjiku Test",
      email: input.email ?? uniqueEmail(input.role ?? "customer"),
      password,
      role: input.role ?? "customer",
      ...(input.phoneNumber ? { phoneNumber: input.phoneNumber } : {}),
    },
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { data: { user: User; token: string } };
  return { user: body.data.user, token: body.data.token, password };
}

/** An admin (made the way the CLI makes one), signed in through the API. */
export async function createAdmin(
  t: Pick<TestApp, "app" | "services">,
  input: { email?: string; password?: string } = {},
): Promise<RegisteredUser> {
  const email = input.email ?? uniqueEmail("admin");
  const password = input.password ?? "admin-password-1";
  await t.services.users.createAdmin({ email, password });
  const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`admin login failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { data: { user: User; token: string } };
  return { user: body.data.user, token: body.data.token, password };
}

export async function createBooking(
  app: FastifyInstance,
  token: string,
  input: { service?: string; description?: string; location?: string; scheduledFor?: string } = {},
): Promise<Booking> {
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/bookings",
    headers: bearer(token),
    payload: { service: "Plumbing", location: "Kilimani", ...input },
  });
  if (res.statusCode !== 201) throw new Error(`create booking failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { data: { booking: Booking } }).data.booking;
}

/** Asserts the error envelope with this status and code; returns the error for further checks. */
export function expectError(
  res: LightMyRequestResponse | { statusCode: number; json(): unknown },
  status: number,
  code: ErrorCode,
): { code: string; message: string; details?: unknown } {
  const body = res.json() as {
    success: boolean;
    error: { code: string; message: string; details?: unknown };
  };
  expect({ status: res.statusCode, success: body.success, code: body.error?.code }).toEqual({
    status,
    success: false,
    code,
  });
  expect(typeof body.error.message).toBe("string");
  return body.error;
}
