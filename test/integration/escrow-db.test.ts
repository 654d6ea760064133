/**
 * The database's own guarantees for money out, on both engines: one payout per booking fee, one
 * refund per payment transaction, and Daraja's ids and receipts naming one item each; creating an
 * item twice answers the existing row and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPaymentRow } from "../../src/payments/payment.repository.ts";
import { queuePayout, queueRefund } from "../../src/payouts/queue.ts";
import { createTestDb, type TestDb, testEngine } from "../support/db.ts";

describe(`payouts and refunds in the database (${testEngine()})`, () => {
  let t: TestDb;
  const at = new Date("2026-01-15T09:00:00.000Z");
  beforeAll(async () => {
    t = await createTestDb();
    const k = t.db.kysely;
    const now = at.toISOString();
    for (const [id, role] of [
      ["u1", "customer"],
      ["u2", "technician"],
    ] as const)
      await k
        .insertInto("users")
        .values({
          id,
          email: `${id}@example.com`,
          name: id,
          password_hash: "x",
          phone_number: null,
          role,
          created_at: now,
        })
        .execute();
    for (const n of [1, 2]) {
      await k
        .insertInto("bookings")
        .values({
          id: `b${n}`,
          customer_id: "u1",
          technician_id: "u2",
          service: "s",
          description: null,
          location: null,
          scheduled_for: null,
          status: "completed",
          created_at: now,
          updated_at: now,
        })
        .execute();
      await k
        .insertInto("booking_fees")
        .values({
          id: `f${n}`,
          booking_id: `b${n}`,
          amount: 500,
          currency: "KES",
          status: "released",
          paid_transaction_id: `p${n}`,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await k
        .insertInto("payment_transactions")
        .values({
          ...newPaymentRow({
            id: `p${n}`,
            booking_id: `b${n}`,
            booking_fee_id: `f${n}`,
            user_id: "u1",
            phone_number: "254708374149",
            amount: 500,
            currency: "KES",
            status: "completed",
            open_fee_key: null,
            failure_reason: null,
            created_at: now,
          }),
          mpesa_receipt_number: `UAF000000${n}`,
          result_code: "0",
          paid_amount: 500,
          completed_at: now,
        })
        .execute();
    }
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const payout = (n: number) => ({
    bookingId: `b${n}`,
    bookingFeeId: `f${n}`,
    technicianId: "u2",
    phoneNumber: "254711111111",
    amount: 450,
    approvalRequired: false,
    at,
  });
  const refund = (n: number) => ({
    bookingId: `b${n}`,
    bookingFeeId: `f${n}`,
    customerId: "u1",
    transactionId: `p${n}`,
    phoneNumber: "254708374149",
    amount: 500,
    originalReceipt: `UAF000000${n}` as string | null,
    reason: "cancelled",
    at,
  });
  const count = async (table: "payouts" | "refunds" | "payout_events") =>
    (await t.db.kysely.selectFrom(table).select("id").execute()).length;

  it("one payout per booking fee: queueing it again answers the same row and writes nothing", async () => {
    const first = await queuePayout(t.db.kysely, payout(1));
    const events = await count("payout_events");
    const again = await queuePayout(t.db.kysely, { ...payout(1), amount: 999 });
    expect(again).toEqual(first);
    expect(await count("payout_events")).toBe(events);
    const row = { ...first, id: "pyt_other" };
    await expect(t.db.kysely.insertInto("payouts").values(row).execute()).rejects.toThrow();
  });

  it("one refund per payment transaction; a refund without the payment's receipt waits for a person", async () => {
    const first = await queueRefund(t.db.kysely, refund(1));
    expect(first.status).toBe("queued");
    expect((await queueRefund(t.db.kysely, refund(1))).id).toBe(first.id);
    await expect(
      t.db.kysely
        .insertInto("refunds")
        .values({ ...first, id: "rfd_other" })
        .execute(),
    ).rejects.toThrow();
    const blind = await queueRefund(t.db.kysely, { ...refund(2), originalReceipt: null });
    expect(blind).toMatchObject({
      status: "needs_review",
      failure_reason: expect.stringMatching(/receipt is unknown/),
    });
    expect(await count("refunds")).toBe(2);
  });

  it("Daraja's ConversationID, OriginatorConversationID and receipt each name one payout", async () => {
    const two = await queuePayout(t.db.kysely, payout(2));
    const one = await t.db.kysely
      .selectFrom("payouts")
      .selectAll()
      .where("booking_fee_id", "=", "f1")
      .executeTakeFirstOrThrow();
    for (const column of ["conversation_id", "originator_conversation_id", "receipt"] as const) {
      await t.db.kysely
        .updateTable("payouts")
        .set({ [column]: `same-${column}` })
        .where("id", "=", one.id)
        .execute();
      await expect(
        t.db.kysely
          .updateTable("payouts")
          .set({ [column]: `same-${column}` })
          .where("id", "=", two.id)
          .execute(),
      ).rejects.toThrow();
    }
    // Many items without ids yet are fine (NULLs are distinct).
    expect(await count("payouts")).toBe(2);
  });
});
