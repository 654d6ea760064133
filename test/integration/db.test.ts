import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, isMigrated, migrateToLatest } from "../../src/db/database.ts";
import { migrations } from "../../src/db/migrations/index.ts";
import { newPaymentRow } from "../../src/payments/payment.repository.ts";
import { createTestDb, TEST_PG_URL, type TestDb, testEngine } from "../support/db.ts";

const execFileAsync = promisify(execFile);

describe(`database (${testEngine()})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("applies every migration and seeds the ledger accounts", async () => {
    expect(await isMigrated(t.db)).toBe(true);
    const accounts = await t.db.kysely.selectFrom("ledger_accounts").select("code").orderBy("code").execute();
    expect(accounts.map((a) => a.code)).toEqual([
      "booking_fee_escrow",
      "customer_refunds_payable",
      "mpesa_clearing",
      "platform_revenue",
      "suspense",
      "technician_payable",
    ]);
  });

  it("unique keys: one open attempt per fee (many NULLs), CheckoutRequestID, receipt, idempotency key per user, transfer key", async () => {
    const k = t.db.kysely;
    const now = new Date().toISOString();
    await k
      .insertInto("users")
      .values({
        id: "u1",
        email: "a@b.c",
        name: "A",
        password_hash: "x",
        phone_number: null,
        role: "customer",
        created_at: now,
      })
      .execute();
    await k
      .insertInto("bookings")
      .values({
        id: "b1",
        customer_id: "u1",
        technician_id: null,
        service: "s",
        description: null,
        location: null,
        scheduled_for: null,
        status: "pending_payment",
        created_at: now,
        updated_at: now,
      })
      .execute();
    await k
      .insertInto("booking_fees")
      .values({
        id: "f1",
        booking_id: "b1",
        amount: 500,
        currency: "KES",
        status: "pending",
        paid_transaction_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const tx = (id: string, open: string | null) => ({
      ...newPaymentRow({
        id,
        booking_id: "b1",
        booking_fee_id: "f1",
        user_id: "u1",
        phone_number: "254708374149",
        amount: 500,
        currency: "KES",
        status: "failed" as const,
        open_fee_key: open,
        failure_reason: null,
        created_at: now,
      }),
    });
    await k
      .insertInto("payment_transactions")
      .values([tx("p1", null), tx("p2", null), tx("p3", "f1")])
      .execute();
    await expect(k.insertInto("payment_transactions").values(tx("p4", "f1")).execute()).rejects.toThrow();

    // The other keys that make a double credit impossible, enforced by the database itself.
    const unique = async (column: "checkout_request_id" | "mpesa_receipt_number") => {
      await k
        .updateTable("payment_transactions")
        .set({ [column]: "DUP1" })
        .where("id", "=", "p1")
        .execute();
      await expect(
        k
          .updateTable("payment_transactions")
          .set({ [column]: "DUP1" })
          .where("id", "=", "p2")
          .execute(),
      ).rejects.toThrow();
    };
    await unique("checkout_request_id");
    await unique("mpesa_receipt_number");
    const key = {
      user_id: "u1",
      key: "k",
      request_hash: "h",
      status_code: null,
      response_body: null,
      created_at: now,
    };
    await k.insertInto("idempotency_keys").values(key).execute();
    await expect(k.insertInto("idempotency_keys").values(key).execute()).rejects.toThrow();
    await k
      .insertInto("idempotency_keys")
      .values({ ...key, user_id: "u2" })
      .execute();
    const transfer = {
      id: "x1",
      transfer_key: "mpesa-in:p1",
      kind: "fee_paid",
      transaction_id: "p1",
      booking_fee_id: "f1",
      amount: 500,
      created_at: now,
    };
    await k.insertInto("ledger_transfers").values(transfer).execute();
    await expect(
      k
        .insertInto("ledger_transfers")
        .values({ ...transfer, id: "x2" })
        .execute(),
    ).rejects.toThrow();
  });

  it("opens a SQLite database given as a file: URL at that path, never under a folder named file:", async () => {
    const dir = mkdtempSync(join(tmpdir(), "malipo-file-url-"));
    const stray = join(process.cwd(), "file:");
    try {
      for (const url of [`file:${dir}/one/a.sqlite`, `file://${dir}/two/b.sqlite`]) {
        const db = createDatabase(url);
        try {
          await migrateToLatest(db);
          expect(await isMigrated(db)).toBe(true);
        } finally {
          await db.destroy();
        }
      }
      expect(existsSync(join(dir, "one", "a.sqlite"))).toBe(true);
      expect(existsSync(join(dir, "two", "b.sqlite"))).toBe(true);
      expect(existsSync(stray)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(stray, { recursive: true, force: true });
    }
  });

  it("migrations are frozen in time: they import nothing of the application", () => {
    const dir = join(fileURLToPath(new URL("../../src/db/migrations", import.meta.url)));
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const imports = [...readFileSync(join(dir, file), "utf8").matchAll(/from\s+"([^"]+)"/g)].map(
        (m) => m[1],
      );
      for (const source of imports)
        expect({ file, source }).toMatchObject({ source: expect.stringMatching(/^(kysely|\.\/[\w.]+)$/) });
    }
  });

  it("lets several processes migrate one fresh database at once: each migration runs exactly once", async () => {
    if (testEngine() === "postgres") {
      // Two pools stand for two processes (separate connections, one server).
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const a = createDatabase(TEST_PG_URL, { schema });
      const b = createDatabase(TEST_PG_URL, { schema });
      try {
        const [ranA, ranB] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
        expect([...ranA, ...ranB].sort()).toEqual(Object.keys(migrations).sort());
        expect(await isMigrated(a)).toBe(true);
        expect(await migrateToLatest(b)).toEqual([]);
      } finally {
        await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(a.kysely);
        await a.destroy();
        await b.destroy();
      }
      return;
    }
    // better-sqlite3 blocks its thread while it waits for a lock, so SQLite needs real processes.
    const dir = mkdtempSync(join(tmpdir(), "malipo-migrate-"));
    const file = join(dir, "m.sqlite");
    const migrate = () =>
      execFileAsync(process.execPath, ["src/cli/migrate.ts"], {
        env: { ...process.env, DATABASE_URL: file, LOG_LEVEL: "silent" },
      });
    try {
      const outputs = await Promise.all([migrate(), migrate()]);
      // Each process applies whatever it gets the lock for first; together, every migration once.
      const applied = outputs.flatMap((o) => {
        const said = o.stdout.trim();
        if (said === "Database is up to date.") return [];
        expect(said).toMatch(/^Applied: /);
        return said.slice("Applied: ".length).split(", ");
      });
      expect(applied.sort()).toEqual(Object.keys(migrations).sort());
      const db = createDatabase(file);
      expect(await isMigrated(db)).toBe(true);
      await db.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
