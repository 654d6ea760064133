import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../src/users/password.ts";
import {
  bearer,
  expectError,
  registerUser,
  type StartTestAppOptions,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from "../support/app.ts";
import { testEngine } from "../support/db.ts";

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** A HS256 JWT made by hand, so tests can forge expired, mis-signed or malformed tokens. */
function signJwt(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = {},
): string {
  const head = base64url({ alg: "HS256", typ: "JWT", ...header });
  const body = base64url(claims);
  const signature = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${signature}`;
}

describe(`auth (${testEngine()})`, () => {
  let t: TestApp;
  const withApp = async (options: StartTestAppOptions, run: (t: TestApp) => Promise<void>) => {
    const other = await startTestApp(options);
    try {
      await run(other);
    } finally {
      await other.close();
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = (payload: unknown) =>
    t.app.inject({ method: "POST", url: "/api/v1/auth/register", payload: payload as object });
  const login = (payload: unknown) =>
    t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: payload as object });

  describe("register", () => {
    it("creates a customer, lower-cases the email, normalises the phone and returns a token", async () => {
      const email = uniqueEmail("Mixed.Case").replace("mixed", "MIXED");
      const res = await register({
        name: " Wanjiku ",
        email,
        password: "correct-horse",
        phoneNumber: "0712 345 678",
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.success).toBe(true);
      expect(body.data.user).toEqual({
        id: expect.stringMatching(/^usr_/),
        name: "Wanjiku",
        email: email.toLowerCase(),
        phoneNumber: "254712345678",
        role: "customer",
        createdAt: expect.any(String),
      });
      expect(body.data.user).not.toHaveProperty("password_hash");
      expect(body.data.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const claims = JSON.parse(Buffer.from(body.data.token.split(".")[1], "base64url").toString());
      expect(claims).toMatchObject({ sub: body.data.user.id, role: "customer", email: email.toLowerCase() });
      expect(claims.exp - claims.iat).toBe(12 * 3600);
      const stored = await t.db.db.kysely
        .selectFrom("users")
        .select("password_hash")
        .where("id", "=", body.data.user.id)
        .executeTakeFirstOrThrow();
      expect(stored.password_hash).toMatch(/^scrypt\$/);
      expect(stored.password_hash).not.toContain("correct-horse");
    });

    it("creates a technician when asked", async () => {
      const { user } = await registerUser(t.app, { role: "technician" });
      expect(user.role).toBe("technician");
    });

    it("never creates an admin by self-registration", async () => {
      const res = await register({
        name: "Eve",
        email: uniqueEmail(),
        password: "correct-horse",
        role: "admin",
      });
      const error = expectError(res, 400, "VALIDATION_ERROR");
      expect(JSON.stringify(error.details)).toContain("role");
    });

    it("ignores unknown fields instead of trusting them", async () => {
      const res = await register({
        name: "Eve",
        email: uniqueEmail(),
        password: "correct-horse",
        isAdmin: true,
        id: "usr_chosen",
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().data.user.role).toBe("customer");
      expect(res.json().data.user.id).not.toBe("usr_chosen");
    });

    it("refuses a taken email whatever its case with 409 EMAIL_TAKEN", async () => {
      const email = uniqueEmail();
      await registerUser(t.app, { email });
      expectError(
        await register({ name: "B", email: email.toUpperCase(), password: "correct-horse" }),
        409,
        "EMAIL_TAKEN",
      );
    });

    it("lists the bad fields", async () => {
      const short = expectError(
        await register({ name: "A", email: uniqueEmail(), password: "short" }),
        400,
        "VALIDATION_ERROR",
      );
      expect(short.details).toEqual({ fields: [expect.objectContaining({ field: "password", in: "body" })] });
      const email = expectError(
        await register({ name: "A", email: "not-an-email", password: "correct-horse" }),
        400,
        "VALIDATION_ERROR",
      );
      expect(email.details).toEqual({ fields: [expect.objectContaining({ field: "email" })] });
      const missing = expectError(
        await register({ email: uniqueEmail(), password: "correct-horse" }),
        400,
        "VALIDATION_ERROR",
      );
      expect(missing.details).toEqual({ fields: [expect.objectContaining({ field: "name" })] });
      expectError(
        await register({ name: "   ", email: uniqueEmail(), password: "correct-horse" }),
        400,
        "VALIDATION_ERROR",
      );
    });

    it("refuses a phone number M-Pesa cannot prompt with INVALID_PHONE", async () => {
      for (const phoneNumber of ["12345", "0812345678", "+1 555 123 4567"])
        expectError(
          await register({ name: "A", email: uniqueEmail(), password: "correct-horse", phoneNumber }),
          400,
          "INVALID_PHONE",
        );
    });

    it("answers wrong types and shapes with the envelope, never a 500", async () => {
      const bodies: unknown[] = [
        { name: 42, email: uniqueEmail(), password: "correct-horse" },
        { name: "A", email: ["x@example.com"], password: "correct-horse" },
        { name: "A", email: uniqueEmail(), password: { $gt: "" } },
        { name: "A", email: uniqueEmail(), password: "correct-horse", role: 7 },
        { name: "A", email: uniqueEmail(), password: "correct-horse", phoneNumber: { n: 1 } },
        [1, 2, 3],
        "just a string",
        null,
      ];
      for (const payload of bodies) {
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/register",
          headers: { "content-type": "application/json" },
          payload: JSON.stringify(payload),
        });
        expectError(res, 400, "VALIDATION_ERROR");
      }
    });
  });

  describe("login and me", () => {
    it("signs in and returns the same user; /auth/me answers with it", async () => {
      const { user, password } = await registerUser(t.app, { phoneNumber: "712345678" });
      const res = await login({ email: user.email.toUpperCase(), password });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.user).toEqual(user);
      const me = await t.app.inject({
        method: "GET",
        url: "/api/v1/auth/me",
        headers: bearer(res.json().data.token),
      });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual({ success: true, data: { user } });
    });

    it("answers a wrong password and an unknown email the same way", async () => {
      const { user } = await registerUser(t.app);
      const wrong = expectError(
        await login({ email: user.email, password: "wrong-password" }),
        401,
        "INVALID_CREDENTIALS",
      );
      const unknown = expectError(
        await login({ email: uniqueEmail(), password: "wrong-password" }),
        401,
        "INVALID_CREDENTIALS",
      );
      expect(unknown.message).toBe(wrong.message);
    });

    it("refuses requests without a valid token with 401 UNAUTHORIZED", async () => {
      const { user } = await registerUser(t.app);
      const secret = t.config.jwtSecret.reveal();
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: user.id, role: user.role, email: user.email };
      const headers: Record<string, string>[] = [
        {},
        { authorization: "Bearer" },
        { authorization: "Basic dXNlcjpwYXNz" },
        { authorization: "Bearer not.a.jwt" },
        { authorization: "Bearer garbage" },
        bearer(signJwt({ ...claims, iat: now - 7200, exp: now - 3600 }, secret)),
        bearer(signJwt({ ...claims, iat: now, exp: now + 3600 }, "another-secret")),
        bearer(signJwt({ ...claims, iat: now, exp: now + 3600, role: "superuser" }, secret)),
        bearer(signJwt({ iat: now, exp: now + 3600 }, secret)),
        bearer(`${base64url({ alg: "none", typ: "JWT" })}.${base64url({ ...claims, exp: now + 3600 })}.`),
      ];
      for (const h of headers) {
        const res = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: h });
        expectError(res, 401, "UNAUTHORIZED");
      }
      // The forging helper itself is sound: a well-signed, unexpired token is accepted.
      const good = bearer(signJwt({ ...claims, iat: now, exp: now + 3600 }, secret));
      expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: good })).statusCode).toBe(
        200,
      );
    });

    it("upgrades a password hash made at a lower cost on the next successful sign-in, and only then", async () => {
      const email = uniqueEmail("old");
      const weak = await hashPassword("old-password-1", { N: 2 ** 9, r: 8, p: 1 });
      await t.db.db.kysely
        .insertInto("users")
        .values({
          id: `usr_old_${Date.now()}`,
          email,
          name: "Old Account",
          password_hash: weak,
          phone_number: null,
          role: "customer",
          created_at: new Date().toISOString(),
        })
        .execute();
      const stored = () =>
        t.db.db.kysely
          .selectFrom("users")
          .select("password_hash")
          .where("email", "=", email)
          .executeTakeFirstOrThrow()
          .then((row) => row.password_hash);
      expectError(await login({ email, password: "wrong-password" }), 401, "INVALID_CREDENTIALS");
      expect(await stored()).toBe(weak);
      expect((await login({ email, password: "old-password-1" })).statusCode).toBe(200);
      const upgraded = await stored();
      expect(upgraded).not.toBe(weak);
      expect(upgraded).toMatch(/^scrypt\$1024\$8\$1\$/);
      expect(await verifyPassword("old-password-1", upgraded)).toBe(true);
      // Signing in again leaves the upgraded hash alone.
      expect((await login({ email, password: "old-password-1" })).statusCode).toBe(200);
      expect(await stored()).toBe(upgraded);
    });

    it("validates the login body", async () => {
      expectError(await login({ email: "a@b.c" }), 400, "VALIDATION_ERROR");
      expectError(await login({ email: 5, password: "x" }), 400, "VALIDATION_ERROR");
    });
  });

  describe("rate limits", () => {
    it("limits sign-in attempts per address and email, with Retry-After", async () => {
      const { user, password } = await registerUser(t.app);
      for (let i = 0; i < 10; i++)
        expectError(
          await login({ email: user.email, password: "wrong-password" }),
          401,
          "INVALID_CREDENTIALS",
        );
      const limited = await login({ email: user.email, password });
      expectError(limited, 429, "RATE_LIMITED");
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      // Another account from the same address is not locked out by it.
      const other = await registerUser(t.app);
      expect((await login({ email: other.user.email, password: other.password })).statusCode).toBe(200);
    });

    it("limits sign-in attempts per address whatever the email, so new emails buy no more hash checks", async () => {
      const limits = {
        login: { max: 3, timeWindowMs: 60_000 },
        loginPerAddress: { max: 5, timeWindowMs: 60_000 },
      };
      await withApp({ rateLimits: limits }, async (small) => {
        const attempt = (remoteAddress: string) =>
          small.app.inject({
            method: "POST",
            url: "/api/v1/auth/login",
            remoteAddress,
            payload: { email: uniqueEmail("guess"), password: "wrong-password" },
          });
        for (let i = 0; i < 5; i++) expectError(await attempt("198.51.100.7"), 401, "INVALID_CREDENTIALS");
        const limited = await attempt("198.51.100.7");
        expectError(limited, 429, "RATE_LIMITED");
        expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
        // Another address is counted on its own.
        expectError(await attempt("198.51.100.8"), 401, "INVALID_CREDENTIALS");
      });
    });

    it("limits sign-ups per address", async () => {
      await withApp({ rateLimits: { register: { max: 2, timeWindowMs: 60_000 } } }, async (small) => {
        await registerUser(small.app);
        await registerUser(small.app);
        const res = await small.app.inject({
          method: "POST",
          url: "/api/v1/auth/register",
          payload: { name: "C", email: uniqueEmail(), password: "correct-horse" },
        });
        expectError(res, 429, "RATE_LIMITED");
        expect(res.headers["retry-after"]).toBeDefined();
      });
    });
  });

  describe("admin accounts", () => {
    it("creates the configured admin at start-up, once, and it can sign in", async () => {
      const email = uniqueEmail("boss");
      const env = { ADMIN_EMAIL: email, ADMIN_PASSWORD: "admin-password-1" };
      await withApp({ config: env }, async (a) => {
        expect(await a.services.users.ensureAdminFromConfig()).toEqual({ created: false });
        const res = await a.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email, password: "admin-password-1" },
        });
        expect(res.statusCode).toBe(200);
        expect(res.json().data.user.role).toBe("admin");
        const admins = await a.db.db.kysely
          .selectFrom("users")
          .select("id")
          .where("role", "=", "admin")
          .execute();
        expect(admins).toHaveLength(1);
      });
    });
  });
});
