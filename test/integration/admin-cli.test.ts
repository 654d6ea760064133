/**
 * `npm run admin -- create|set-password …` as a child process against a database of its own: the
 * account is made (migrating a fresh database first), its password is scrypt-hashed and works, a
 * taken email and a bad command are refused with a message and a non-zero exit.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createUsersService } from "../../src/users/users.service.ts";
import { createProcessTestDb, type ProcessTestDb, testEngine } from "../support/db.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function admin(database: ProcessTestDb, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["src/cli/admin.ts", ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: database.dir, DATABASE_URL: database.url },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? "");
  });
}

describe(`npm run admin (${testEngine()})`, () => {
  let database: ProcessTestDb;
  beforeAll(async () => {
    database = await createProcessTestDb();
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  async function login(email: string, password: string) {
    const db = database.open();
    try {
      const users = createUsersService({
        config: loadConfig({ LOG_LEVEL: "silent" }),
        db,
        logger: createLogger("silent"),
        clock: systemClock,
      });
      return await users.login({ email, password });
    } finally {
      await db.destroy();
    }
  }

  it("creates an admin on a fresh database; the password is hashed and signs in", async () => {
    const run = await admin(database, [
      "create",
      "--email",
      "Ops@Example.com",
      "--password",
      "ops-password-1",
    ]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^Admin ops@example\.com created \(usr_\w+\)\.$/m);
    const user = await login("ops@example.com", "ops-password-1");
    expect(user).toMatchObject({ email: "ops@example.com", role: "admin", name: "Administrator" });
    const db = database.open();
    try {
      const row = await db.kysely
        .selectFrom("users")
        .select("password_hash")
        .where("email", "=", "ops@example.com")
        .executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^scrypt\$/);
    } finally {
      await db.destroy();
    }
  });

  it("refuses a taken email, a short password and a missing email", async () => {
    const taken = await admin(database, [
      "create",
      "--email",
      "ops@example.com",
      "--password",
      "another-pass",
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("already exists");
    const short = await admin(database, ["create", "--email", "x@example.com", "--password", "short"]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password of 8 to 256 characters/);
    const usage = await admin(database, ["create"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Usage:");
    const unknown = await admin(database, ["delete", "--email", "ops@example.com"]);
    expect(unknown.code).toBe(2);
  });

  it("sets a new password read from standard input", async () => {
    const run = await admin(database, ["set-password", "--email", "ops@example.com"], "new-ops-password\n");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect((await login("ops@example.com", "new-ops-password")).role).toBe("admin");
    await expect(login("ops@example.com", "ops-password-1")).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
  });
});
