import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMigrated } from "../../src/db/database.ts";
import { createTestDb, type TestDb, testEngine } from "../support/db.ts";

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

  it("allows many NULL open_fee_key values but only one equal value", async () => {
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
      id,
      booking_id: "b1",
      booking_fee_id: "f1",
      user_id: "u1",
      phone_number: "254708374149",
      amount: 500,
      currency: "KES",
      status: "failed" as const,
      open_fee_key: open,
      merchant_request_id: null,
      checkout_request_id: null,
      mpesa_receipt_number: null,
      result_code: null,
      result_desc: null,
      failure_reason: null,
      paid_amount: null,
      paid_phone: null,
      mpesa_transaction_date: null,
      next_check_at: null,
      check_attempts: 0,
      last_queried_at: null,
      lease_owner: null,
      lease_until: null,
      created_at: now,
      updated_at: now,
      completed_at: null,
    });
    await k
      .insertInto("payment_transactions")
      .values([tx("p1", null), tx("p2", null), tx("p3", "f1")])
      .execute();
    await expect(k.insertInto("payment_transactions").values(tx("p4", "f1")).execute()).rejects.toThrow();
  });
});
