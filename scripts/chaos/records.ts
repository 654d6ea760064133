/**
 * The two records a chaos run compares: what the emulator says Daraja took and paid (its control
 * API: M-Pesa transactions made, B2C and reversal requests accepted, prompts still open), and what
 * Malipo's database says — read once both have settled.
 */
import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../../src/db/schema.ts";
import { control } from "./people.ts";

export interface DarajaTransaction {
  receipt: string;
  kind: "stk_payment" | "b2c_payment" | "reversal";
  msisdn: string;
  amount: number;
  checkoutRequestId: string | null;
  originatorConversationId: string | null;
  originalReceipt: string | null;
  reversedBy: string | null;
}

export interface DarajaConversation {
  api: string;
  originatorConversationId: string;
  status: string;
}

export interface DarajaCallback {
  checkoutRequestId: string;
  /** The CallBackURL it went to: Malipo names its attempt there (`?tx=`). */
  url: string;
  status: string;
  responseStatus: number | null;
  note: string | null;
  error: string | null;
  sentAt: string | null;
}

export interface DarajaRecord {
  transactions: DarajaTransaction[];
  /** Every STK callback Daraja sent (or suppressed on purpose), and the answer it got. */
  callbacks: DarajaCallback[];
  conversations: DarajaConversation[];
  pendingSessions: number;
  faultsInjected: Record<string, number>;
}

/** Prompts still open at the emulator. */
export async function pendingPrompts(emulatorUrl: string): Promise<number> {
  return ((await control(emulatorUrl, "GET", "/sessions?status=pending")).sessions as unknown[]).length;
}

export async function readDarajaRecord(emulatorUrl: string): Promise<DarajaRecord> {
  const transactions = (await control(emulatorUrl, "GET", "/transactions"))
    .transactions as DarajaTransaction[];
  const conversations = (await control(emulatorUrl, "GET", "/conversations"))
    .conversations as DarajaConversation[];
  const faults = await control(emulatorUrl, "GET", "/faults");
  const callbacks = (await control(emulatorUrl, "GET", "/callbacks")).deliveries as DarajaCallback[];
  return {
    transactions,
    callbacks: callbacks.map(({ checkoutRequestId, url, status, responseStatus, note, error, sentAt }) => ({
      checkoutRequestId,
      url,
      status,
      responseStatus,
      note,
      error,
      sentAt,
    })),
    conversations,
    pendingSessions: await pendingPrompts(emulatorUrl),
    faultsInjected: faults.injected as Record<string, number>,
  };
}

export interface MalipoRecord {
  payments: Array<{
    id: string;
    status: string;
    checkout_request_id: string | null;
    mpesa_receipt_number: string | null;
    amount: number;
    phone_number: string;
  }>;
  /** Payments whose review a person has not settled yet (`push_unconfirmed:…`, `callback:…`). */
  reviews: Array<{ transaction_id: string; review_key: string }>;
  payouts: Array<{
    id: string;
    status: string;
    receipt: string | null;
    amount: number;
    phone_number: string;
  }>;
  refunds: Array<{
    id: string;
    status: string;
    transaction_id: string;
    original_receipt: string | null;
    amount: number;
  }>;
  /** Payments whose money is owed back (an overpayment transfer). */
  overpaid: string[];
  /** What is still moving (all zero once settled), by kind. */
  open: Record<string, number>;
  openReviews: number;
  /** Webhook events, and the receiver's deliveries of them. */
  events: Array<{ id: string; type: string }>;
  deliveries: Array<{ event_id: string; status: string; attempts: number }>;
}

// PostgreSQL answers count(*) as a bigint string.
async function count(db: Executor, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await (query as RawBuilder<{ n: string | number }>).execute(db);
  return Number(rows[0]?.n ?? 0);
}

export async function readMalipoRecord(db: Executor, endpointId: string | null): Promise<MalipoRecord> {
  const overpaid = await db
    .selectFrom("ledger_transfers")
    .select("transaction_id")
    .where("kind", "=", "overpayment_refund_owed")
    .execute();
  return {
    payments: await db
      .selectFrom("payment_transactions")
      .select(["id", "status", "checkout_request_id", "mpesa_receipt_number", "amount", "phone_number"])
      .execute(),
    reviews: await db
      .selectFrom("payment_reviews")
      .select(["transaction_id", "review_key"])
      .where("resolved_at", "is", null)
      .execute(),
    payouts: await db
      .selectFrom("payouts")
      .select(["id", "status", "receipt", "amount", "phone_number"])
      .execute(),
    refunds: await db
      .selectFrom("refunds")
      .select(["id", "status", "transaction_id", "original_receipt", "amount"])
      .execute(),
    overpaid: overpaid.map((r) => String(r.transaction_id)),
    open: await openWork(db),
    openReviews: await count(db, sql`SELECT count(*) AS n FROM payment_reviews WHERE resolved_at IS NULL`),
    events: await db.selectFrom("webhook_events").select(["id", "type"]).execute(),
    deliveries:
      endpointId === null
        ? []
        : await db
            .selectFrom("webhook_deliveries")
            .select(["event_id", "status", "attempts"])
            .where("endpoint_id", "=", endpointId)
            .execute(),
  };
}

/** What is still moving: the run waits for all of these to be zero. */
export async function openWork(db: Executor): Promise<Record<string, number>> {
  const n = (query: RawBuilder<unknown>) => count(db, query);
  return {
    payments: await n(
      sql`SELECT count(*) AS n FROM payment_transactions WHERE status IN ('initiated', 'pending')`,
    ),
    payouts: await n(
      sql`SELECT count(*) AS n FROM payouts WHERE status IN ('queued', 'submitted', 'unknown')`,
    ),
    refunds: await n(
      sql`SELECT count(*) AS n FROM refunds WHERE status IN ('queued', 'submitted', 'unknown')`,
    ),
    owedWithoutRefund: await n(sql`SELECT count(*) AS n FROM ledger_transfers t
      WHERE t.kind = 'overpayment_refund_owed'
        AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.transaction_id = t.transaction_id)`),
    callbacks: await n(sql`SELECT count(*) AS n FROM mpesa_callbacks WHERE processed_at IS NULL`),
    results: await n(sql`SELECT count(*) AS n FROM payout_results WHERE processed_at IS NULL`),
    webhooks: await n(sql`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'`),
  };
}
