import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import { createDatabase, type Db } from "../../src/db/database.ts";
import { buildApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/logger.ts";
import { createMetrics } from "../../src/metrics.ts";
import { createServices } from "../../src/services.ts";
import {
  bearer,
  createAdmin,
  expectError,
  registerUser,
  startTestApp,
  type TestApp,
  unreachableDaraja,
} from "../support/app.ts";
import { TEST_PG_URL, testEngine } from "../support/db.ts";

/** A database that exists but has no tables: the app must say it is not ready. */
async function unmigratedDb(): Promise<{ db: Db; cleanup(): Promise<void> }> {
  if (testEngine() === "postgres") {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const db = createDatabase(TEST_PG_URL, { schema, poolSize: 2 });
    await db.kysely.schema.createSchema(schema).execute();
    return {
      db,
      async cleanup() {
        await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db.kysely);
        await db.destroy();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "malipo-unmigrated-"));
  const db = createDatabase(join(dir, "empty.sqlite"));
  return {
    db,
    async cleanup() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe(`operations endpoints (${testEngine()})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { METRICS_TOKEN: "metrics-token-123" } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers /health and /ready at the root and under /api/v1, over real HTTP", async () => {
    for (const prefix of ["", "/api/v1"]) {
      const health = await fetch(`${t.url}${prefix}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });
      const ready = await fetch(`${t.url}${prefix}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready", ledger: { status: "unknown", checkedAt: null } });
    }
  });

  it("says 503 NOT_READY when migrations are missing, and hides a failing database behind 500 INTERNAL", async () => {
    const empty = await unmigratedDb();
    const config = loadConfig({ LOG_LEVEL: "silent" });
    const logger = createLogger("silent");
    const services = createServices({
      config,
      db: empty.db,
      logger,
      clock: systemClock,
      daraja: unreachableDaraja,
      metrics: createMetrics(),
    });
    const app = await buildApp({ config, logger, db: empty.db, clock: systemClock, services });
    try {
      expectError(await app.inject({ method: "GET", url: "/ready" }), 503, "NOT_READY");
      const token = app.jwt.sign({ sub: "usr_x", role: "customer", email: "x@example.com" });
      const res = await app.inject({ method: "GET", url: "/api/v1/auth/me", headers: bearer(token) });
      const error = expectError(res, 500, "INTERNAL");
      expect(error.message).toContain(res.headers["x-request-id"] as string);
      expect(res.body).not.toMatch(/users|sqlite|relation|table/i);
      expect((await app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    } finally {
      await app.close();
      await empty.cleanup();
    }
  });

  it("serves Prometheus metrics only with the configured token", async () => {
    await t.app.inject({ method: "GET", url: "/health" });
    for (const path of ["/metrics", "/api/v1/metrics"]) {
      expectError(await t.app.inject({ method: "GET", url: path }), 401, "UNAUTHORIZED");
      expectError(
        await t.app.inject({ method: "GET", url: path, headers: bearer("wrong") }),
        401,
        "UNAUTHORIZED",
      );
      const res = await t.app.inject({ method: "GET", url: path, headers: bearer("metrics-token-123") });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toContain("text/plain");
      expect(res.body).toContain(
        'http_request_duration_seconds_count{route="/health",method="GET",status="200"}',
      );
      for (const name of [
        "payments_status_total",
        "mpesa_callbacks_total",
        "daraja_request_duration_seconds",
        "reconciler_backlog",
        "ledger_entries_sum_kes",
        "ledger_escrow_difference_kes",
        "ledger_check_timestamp_seconds",
      ])
        expect(res.body).toContain(`# TYPE ${name}`);
    }
    // What the payment module increments shows up on the same registry.
    t.services.metrics.paymentsStatusTotal.inc({ status: "completed" });
    const after = await t.app.inject({
      method: "GET",
      url: "/metrics",
      headers: bearer("metrics-token-123"),
    });
    expect(after.body).toContain('payments_status_total{status="completed"} 1');
  });

  it("serves /metrics openly when no token is configured, counting unknown routes under one label", async () => {
    const open = await startTestApp();
    try {
      await open.app.inject({ method: "GET", url: `/random/${randomBytes(4).toString("hex")}` });
      const res = await open.app.inject({ method: "GET", url: "/metrics" });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('route="unmatched"');
      expect(res.body).not.toContain("/random/");
    } finally {
      await open.close();
    }
  });

  it("publishes the OpenAPI document and the docs UI", async () => {
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/me",
        "/api/v1/bookings",
        "/api/v1/bookings/{id}",
        "/api/v1/admin/reports/payments",
        "/health",
        "/ready",
      ]),
    );
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const docs = await fetch(`${t.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger");
  });

  it("answers unknown routes with 404 NOT_FOUND and sets security headers and a request id", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/nothing-here" });
    expectError(res, 404, "NOT_FOUND");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    // Served over plain HTTP here, so browsers must not be told to upgrade to HTTPS.
    expect(res.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expectError(await t.app.inject({ method: "PATCH", url: "/api/v1/bookings" }), 404, "NOT_FOUND");
  });

  it("never answers 500 to hostile input on any of its routes", async () => {
    const customer = await registerUser(t.app);
    const admin = await createAdmin(t);
    const payloads = [
      "{",
      "[]",
      "null",
      '"x"',
      "1e999",
      '{"__proto__":{"role":"admin"}}',
      "\u0000",
      JSON.stringify({
        name: "A\u0000B",
        email: "nul@example.com",
        password: "pass\u0000word",
        service: "x\u0000",
      }),
      JSON.stringify({ email: "x@example.com", password: "p".repeat(10_000), service: "s".repeat(10_000) }),
    ];
    const routes = [
      { method: "POST", url: "/api/v1/auth/register", token: undefined },
      { method: "POST", url: "/api/v1/auth/login", token: undefined },
      { method: "POST", url: "/api/v1/bookings", token: customer.token },
    ] as const;
    for (const route of routes)
      for (const payload of payloads) {
        const res = await t.app.inject({
          method: route.method,
          url: route.url,
          headers: { "content-type": "application/json", ...(route.token ? bearer(route.token) : {}) },
          payload,
        });
        expect(res.statusCode, `${route.url} ${payload}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${route.url} ${payload}`).toBeLessThan(500);
        expect(res.json().success).toBe(false);
      }
    for (const url of [
      "/api/v1/bookings/%00",
      "/api/v1/bookings?status=%00",
      "/api/v1/bookings/bkg%00x",
      `/api/v1/bookings/${"x".repeat(500)}`,
      "/api/v1/bookings?page=-1",
      "/api/v1/admin/reports/payments?from=yesterday",
      "/api/v1/admin/reports/payments?from=2026-02-01&to=2026-01-01",
    ]) {
      const res = await t.app.inject({ method: "GET", url, headers: bearer(admin.token) });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
    }
  });
});

describe(`web app serving (${testEngine()})`, () => {
  let t: TestApp;
  let webRoot: string;
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), "malipo-web-"));
    mkdirSync(join(webRoot, "assets"));
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>Malipo</title><div id=root></div>");
    writeFileSync(join(webRoot, "assets", "app-abc123.js"), "console.log('malipo')");
    t = await startTestApp({ webRoot });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it("serves index.html at / and for client-side routes a browser navigates to", async () => {
    for (const url of ["/", "/bookings/bkg_123", "/admin"]) {
      const res = await t.app.inject({ method: "GET", url, headers: { accept: "text/html,*/*" } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.body).toContain("<title>Malipo</title>");
    }
  });

  it("serves hashed assets with a long cache life", async () => {
    const res = await t.app.inject({ method: "GET", url: "/assets/app-abc123.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toContain("immutable");
  });

  it("keeps API and non-page misses as JSON 404s", async () => {
    const headers = { accept: "text/html" };
    expectError(await t.app.inject({ method: "GET", url: "/api/v1/nope", headers }), 404, "NOT_FOUND");
    expectError(await t.app.inject({ method: "GET", url: "/assets/missing.js" }), 404, "NOT_FOUND");
    expectError(await t.app.inject({ method: "POST", url: "/somewhere", headers }), 404, "NOT_FOUND");
    expect((await t.app.inject({ method: "GET", url: "/health", headers })).json()).toEqual({ status: "ok" });
  });
});
