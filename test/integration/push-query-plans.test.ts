/**
 * Every statement a push makes (and a callback's) is served by an index: none reads a whole table,
 * so its cost does not grow with the history of payments. Each statement recorded during a real
 * push is explained with its own parameters: SQLite's EXPLAIN QUERY PLAN must show no SCAN;
 * PostgreSQL's EXPLAIN, with sequential scans made as costly as they can be, must show no Seq Scan
 * (one remains only when no index can serve the statement).
 */
import { CompiledQuery, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/database.ts";
import { testEngine } from "../support/db.ts";
import {
  callbackBody,
  checkoutIdFor,
  createPaymentsHarness,
  type PaymentsHarness,
  SUCCESS_PHONE,
} from "../support/payments.ts";

interface Recorded {
  sql: string;
  parameters: readonly unknown[];
}

const engine = testEngine();
let recording: Recorded[] | null = null;
let h: PaymentsHarness;

beforeAll(async () => {
  h = await createPaymentsHarness({
    db: { onQuery: (text, parameters) => recording?.push({ sql: text, parameters }) },
  });
});
afterAll(async () => {
  await h?.close();
});

async function record(work: () => Promise<unknown>): Promise<Recorded[]> {
  recording = [];
  try {
    await work();
    await h.payments.callbacks.whenIdle();
    return recording;
  } finally {
    recording = null;
  }
}

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

/** The plan lines that read a whole table or index. */
async function fullScans(db: Db, statement: Recorded): Promise<string[]> {
  if (db.engine === "sqlite") {
    const { rows } = await db.kysely.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${statement.sql}`, [...statement.parameters]),
    );
    // A VALUES list or a constant row is not a table.
    return rows
      .map((r) => r.detail)
      .filter(
        (detail) => /^SCAN\b/.test(detail) && !/^SCAN (\d+-ROW VALUES CLAUSE|CONSTANT ROW)/.test(detail),
      );
  }
  return db.kysely.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const { rows } = await trx.executeQuery<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(
      CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${statement.sql}`, [...statement.parameters]),
    );
    const found: string[] = [];
    const walk = (node: PlanNode) => {
      if (node["Node Type"] === "Seq Scan") found.push(`Seq Scan on ${node["Relation Name"]}`);
      for (const child of node.Plans ?? []) walk(child);
    };
    for (const plan of rows[0]?.["QUERY PLAN"] ?? []) walk(plan.Plan);
    return found;
  });
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

async function expectIndexed(statements: Recorded[]) {
  const distinct = new Map<string, Recorded>();
  for (const s of statements) if (!TRANSACTION_CONTROL.test(s.sql)) distinct.set(s.sql, s);
  expect(distinct.size).toBeGreaterThan(0);
  const problems: string[] = [];
  for (const statement of distinct.values())
    for (const scan of await fullScans(h.db.db, statement)) problems.push(`${scan}: ${statement.sql}`);
  expect(problems).toEqual([]);
}

describe(`query plans (${engine})`, () => {
  it("a push, with a key, a limit to check and an open attempt to settle first, uses indexes only", async () => {
    const customer = await h.customer();
    const { bookingId } = await h.booking(customer);
    // History: an earlier attempt for the same fee, still open; Daraja says it was cancelled.
    const first = await h.payments.initiateStkPush({
      userId: customer.id,
      bookingId,
      phoneNumber: SUCCESS_PHONE,
    });
    expect(first.data.checkoutRequestId).toBe(checkoutIdFor(1));
    h.daraja.answerQuery(checkoutIdFor(1), "1032", "Request cancelled by user");
    h.clock.advance(61_000);

    const statements = await record(() =>
      h.payments.initiateStkPush({
        userId: customer.id,
        bookingId,
        phoneNumber: SUCCESS_PHONE,
        idempotencyKey: "plan-check-1",
      }),
    );
    // The open attempt was asked about, failed, and a new prompt sent.
    expect(h.daraja.queries).toEqual([checkoutIdFor(1)]);
    expect(h.daraja.pushes).toHaveLength(2);
    await expectIndexed(statements);
  });

  it("a success callback applied at once uses indexes only", async () => {
    const payer = await h.payer();
    const { data } = await payer.start();
    const checkoutRequestId = data.checkoutRequestId ?? "";
    const statements = await record(() =>
      h.deliver(data.transactionId, callbackBody({ checkoutRequestId, receipt: "UAPLAN0001" })),
    );
    expect((await h.row(data.transactionId)).status).toBe("completed");
    await expectIndexed(statements);
  });
});
