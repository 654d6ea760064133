/**
 * Importing the M-Pesa statement: real payments and a payout go through the emulator, whose
 * organisation statement (its portal-shaped CSV export) is uploaded as is, or edited so that every
 * kind of discrepancy appears. A statement of exactly what happened matches everything, counts the
 * charge and explains the ledger's movement; importing a statement again changes nothing; a
 * malformed file is refused naming its line with nothing written; only admins reconcile. The
 * emulator's clock is the app's. Real server, Daraja client and emulator; the books after each test.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { b2cChargeKes } from "../../src/emulator/accounts.ts";
import type { ReconciliationDiscrepancy } from "../../src/reconciliation/views.ts";
import { createAdmin, expectError, type RegisteredUser, registerUser } from "../support/app.ts";
import { completedBooking, paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";
import {
  editedStatementCsv,
  emulatorStatementCsv,
  paidInLine,
  type ReconciliationRoutes,
  reconciliationRoutes,
} from "../support/statement.ts";
import { hearEveryEvent } from "../support/webhooks.ts";

let s: PaymentsStack | undefined;
let p: PayoutsDriver;
let r: ReconciliationRoutes;
let admin: RegisteredUser;
withPaymentsStack(
  (stack) => {
    s = stack;
    p = payoutsDriver(stack);
    r = reconciliationRoutes(stack);
  },
  { emulator: { now: () => (s ? s.clock.now() : new Date()) }, env: { STATEMENT_UPLOAD_MAX_MB: "1" } },
);
const stack = () => s as PaymentsStack;

const receiptOf = async (transactionId: string) =>
  (await stack().row(transactionId)).mpesa_receipt_number ?? "";
const count = async (table: "reconciliation_runs" | "reconciliation_discrepancies" | "webhook_events") =>
  Number(
    (
      await stack()
        .t.db.db.kysely.selectFrom(table)
        .select((eb) => eb.fn.countAll<string | number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

// The outbox writes only events some endpoint wants: this one wants them all.
beforeAll(async () => {
  await hearEveryEvent((s as PaymentsStack).t);
});

describe("a statement of exactly what happened", () => {
  it("matches every payment and the payout, counts the charge, and explains the ledger's movement", async () => {
    admin = await createAdmin(stack().t);
    await paidBooking(stack());
    await paidBooking(stack());
    const { payoutId } = await completedBooking(stack());
    await p.sweep();
    await p.waitFor({ kind: "payout", id: payoutId }, ["succeeded"]);

    const res = await r.upload(admin, await emulatorStatementCsv(stack()));
    expect(res.statusCode).toBe(201);
    const { run, discrepancies } = res.json().data;
    const charge = b2cChargeKes(450) * 100;
    expect(discrepancies).toEqual([]);
    expect(run).toMatchObject({
      source: "upload",
      createdBy: admin.user.id,
      lines: 5,
      matched: { payments: 3, payouts: 1, refunds: 0 },
      charges: { count: 1, amountCents: charge },
      discrepancies: { total: 0, open: 0 },
      balances: {
        statement: { paidInCents: 150_000, withdrawnCents: 45_000 + charge, movementCents: 105_000 - charge },
        ledgerMovementCents: 105_000,
        differenceCents: -charge,
        unexplainedCents: 0,
      },
    });
    // The export's running balance: the emulator opens the Utility Account with KES 100,000.
    expect(run.balances.statement.openingCents).toBe(100_000_00);
    expect(run.balances.statement.closingCents).toBe(100_000_00 + 105_000);
  });
});

describe("a statement that disagrees with us", () => {
  it("finds every kind of discrepancy, opens a review item and a webhook for each, and once only", async () => {
    const matched = await paidBooking(stack());
    const more = await paidBooking(stack());
    const failed = await paidBooking(stack());
    const absent = await paidBooking(stack());
    const [rMore, rFailed, rAbsent] = await Promise.all(
      [more, failed, absent].map((x) => receiptOf(x.transactionId)),
    );
    const csv = await editedStatementCsv(stack(), (lines) => [
      ...lines
        .filter((l) => l.receipt !== rAbsent)
        .map((l) =>
          l.receipt === rMore
            ? { ...l, paidInCents: l.paidInCents + 100 }
            : l.receipt === rFailed
              ? { ...l, status: "Failed" }
              : l,
        ),
      paidInLine("UNK1000001", stack().clock.now()),
    ]);
    const events = await count("webhook_events");

    const res = await r.upload(admin, csv);
    expect(res.statusCode).toBe(201);
    const { run, discrepancies } = res.json().data as {
      run: { id: string };
      discrepancies: ReconciliationDiscrepancy[];
    };
    const brief = discrepancies.map((d) => ({ kind: d.kind, receipt: d.receipt, recordId: d.recordId }));
    expect(brief).toEqual(
      expect.arrayContaining([
        { kind: "missing_here", receipt: "UNK1000001", recordId: null },
        { kind: "amount_differs", receipt: rMore, recordId: more.transactionId },
        { kind: "status_differs", receipt: rFailed, recordId: failed.transactionId },
        { kind: "missing_there", receipt: rAbsent, recordId: absent.transactionId },
      ]),
    );
    expect(brief).toHaveLength(4);
    expect(brief.map((d) => d.receipt)).not.toContain(await receiptOf(matched.transactionId));
    const found = discrepancies.find((d) => d.kind === "missing_here") as ReconciliationDiscrepancy;
    expect(found).toMatchObject({
      amount: 500,
      amountCents: 50_000,
      otherParty: "25470****149 - JOHN DOE",
      lineKind: "payment_in",
      state: "open",
      actions: ["attach", "refund", "resolve"],
    });
    expect(found.detail).toMatch(
      /^KES 500\.00 paid in by 25470\*\*\*\*149 - JOHN DOE with no payment recorded here/,
    );
    expect(discrepancies.find((d) => d.kind === "amount_differs")?.detail).toBe(
      "the statement shows KES 501.00; we recorded KES 500.00",
    );

    // Each is a review item, and a webhook.
    const queue = (await r.get(admin, "/admin/review")).json().data;
    expect(queue.counts.discrepancies).toBe(4);
    expect(queue.discrepancies.map((d: { id: string }) => d.id).sort()).toEqual(
      discrepancies.map((d) => d.id).sort(),
    );
    const sent = await stack()
      .t.db.db.kysely.selectFrom("webhook_events")
      .select("payload")
      .where("type", "=", "reconciliation.discrepancy")
      .execute();
    expect(sent.map((e) => JSON.parse(e.payload).data.id).sort()).toEqual(
      discrepancies.map((d) => d.id).sort(),
    );
    // The catalogue's shape (docs/webhooks.md).
    expect(Object.keys(JSON.parse(sent[0]?.payload ?? "{}").data).sort()).toEqual([
      "amount",
      "createdAt",
      "currency",
      "detail",
      "id",
      "kind",
      "receipt",
      "recordId",
      "runId",
    ]);
    expect(await count("webhook_events")).toBe(events + 4);

    // The same statement again: the same run, nothing written.
    const before = await Promise.all([
      count("reconciliation_runs"),
      count("reconciliation_discrepancies"),
      count("webhook_events"),
    ]);
    const again = await r.upload(admin, csv);
    expect(again.statusCode).toBe(200);
    expect(again.json().data.run.id).toBe(run.id);
    expect(
      await Promise.all([
        count("reconciliation_runs"),
        count("reconciliation_discrepancies"),
        count("webhook_events"),
      ]),
    ).toEqual(before);

    // A later statement that still disagrees takes the items over, without telling anyone again.
    stack().clock.advance(1_000);
    const later = await r.upload(admin, csv, { period: { from: new Date(0), to: stack().clock.now() } });
    expect(later.statusCode).toBe(201);
    const laterRun = later.json().data;
    expect(laterRun.discrepancies.filter((d: ReconciliationDiscrepancy) => d.state === "open")).toHaveLength(
      4,
    );
    expect(await count("webhook_events")).toBe(events + 4);
    const first = (await r.get(admin, `/admin/reconciliations/${run.id}`)).json().data;
    expect(first.discrepancies.map((d: ReconciliationDiscrepancy) => d.resolution)).toEqual(
      Array(4).fill("superseded"),
    );
    expect((await r.get(admin, "/admin/review")).json().data.counts.discrepancies).toBe(4);

    // The download, and the list of runs.
    const download = await r.get(admin, `/admin/reconciliations/${laterRun.run.id}/discrepancies.csv`);
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toMatch(/^text\/csv/);
    expect(download.headers["content-disposition"]).toBe(
      `attachment; filename="reconciliation-${laterRun.run.id}.csv"`,
    );
    const rows = download.body.trimEnd().split("\r\n");
    expect(rows[0]).toMatch(
      /^Run,Discrepancy,Kind,State,Resolution,Statement Line,Receipt No\.,Amount \(KES\)/,
    );
    expect(
      rows
        .slice(1)
        .map((row) => row.split(",")[2])
        .sort(),
    ).toEqual(["amount_differs", "missing_here", "missing_there", "status_differs"]);
    const list = (await r.get(admin, "/admin/reconciliations?limit=2")).json();
    expect(list).toMatchObject({ success: true, count: 2, total: 3, page: 1, pages: 2 });
    expect(list.runs.map((x: { id: string }) => x.id)).toEqual([laterRun.run.id, run.id]);
  });
});

describe("refusals", () => {
  it("a malformed file: 400 naming its line, and nothing written", async () => {
    const csv = (await emulatorStatementCsv(stack())).split("\r\n");
    const header = csv.findIndex((line) => line.startsWith("Receipt No."));
    const bad = csv.findIndex((line, i) => i > header + 1 && line.includes(",500.00,"));
    csv[bad] = (csv[bad] ?? "").replace(",500.00,", ",five hundred,");
    const before = await Promise.all([
      count("reconciliation_runs"),
      count("reconciliation_discrepancies"),
      count("webhook_events"),
    ]);
    const res = await r.upload(admin, csv.join("\r\n"));
    const error = expectError(res, 400, "STATEMENT_INVALID");
    expect(error.message).toMatch(new RegExp(`^Statement line ${bad + 1}: `));
    expect(error.details).toMatchObject({ line: bad + 1, problem: "bad_amount" });
    expect(
      await Promise.all([
        count("reconciliation_runs"),
        count("reconciliation_discrepancies"),
        count("webhook_events"),
      ]),
    ).toEqual(before);
    expectError(await r.upload(admin, "", {}), 400, "STATEMENT_INVALID");
  });

  it("only a CSV body, of a bounded size, and only from admins", async () => {
    const csv = await emulatorStatementCsv(stack());
    expectError(
      await r.upload(admin, JSON.stringify({ csv }), { contentType: "application/json" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectError(await r.upload(admin, `${csv}${" ".repeat(1024 * 1024)}`), 413, "PAYLOAD_TOO_LARGE");
    expectError(
      await r.upload(admin, csv, { period: { from: new Date(1), to: new Date(0) } }),
      400,
      "VALIDATION_ERROR",
    );
    const customer = await registerUser(stack().t.app);
    expectError(await r.upload(customer, csv), 403, "FORBIDDEN");
    for (const url of [
      "/admin/reconciliations",
      "/admin/reconciliations/rec_x",
      "/admin/reconciliations/rec_x/discrepancies.csv",
      "/admin/reconciliations/balance",
    ])
      expectError(await r.get(customer, url), 403, "FORBIDDEN");
    for (const action of ["attach", "refund", "resolve"] as const)
      expectError(
        await r.decide(customer, "dsc_x", action, { bookingId: "bkg_x", note: "mine" }),
        403,
        "FORBIDDEN",
      );
    expectError(await r.get(admin, "/admin/reconciliations/rec_nope"), 404, "RECONCILIATION_NOT_FOUND");
    expectError(await r.decide(admin, "dsc_nope", "resolve", { note: "?" }), 404, "DISCREPANCY_NOT_FOUND");
  });

  it("is documented in OpenAPI: the CSV body, the runs, the decisions", async () => {
    const doc = (await stack().t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    for (const path of [
      "/api/v1/admin/reconciliations",
      "/api/v1/admin/reconciliations/{id}",
      "/api/v1/admin/reconciliations/{id}/discrepancies.csv",
      "/api/v1/admin/reconciliations/balance",
      "/api/v1/admin/reconciliations/discrepancies/{id}/attach",
      "/api/v1/admin/reconciliations/discrepancies/{id}/refund",
      "/api/v1/admin/reconciliations/discrepancies/{id}/resolve",
      "/api/v1/payments/mpesa/balance/result",
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    const upload = doc.paths["/api/v1/admin/reconciliations"].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(["text/csv", "text/plain"]);
    expect(Object.keys(upload.responses)).toEqual(
      expect.arrayContaining(["200", "201", "400", "413", "415"]),
    );
  });
});
