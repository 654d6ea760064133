/**
 * Statement reconciliation, for integration tests on a payments stack: the emulator's organisation
 * statement (its CSV export, as an admin downloads it from the portal), the same statement edited
 * (a line dropped, an amount or status changed, a line added) and written back in the portal's
 * shape, and the admin's routes.
 */
import type { LightMyRequestResponse } from "fastify";
import { SANDBOX_SHORTCODE } from "../../src/daraja/password.ts";
import { statementCsv } from "../../src/emulator/statement-export.ts";
import { accountReferenceFor } from "../../src/payments/push-request.ts";
import type { Statement, StatementLine } from "../../src/reconciliation/statement.ts";
import { parseStatement } from "../../src/reconciliation/statement-csv.ts";
import type { ReconciliationDiscrepancy } from "../../src/reconciliation/views.ts";
import { bearer, type RegisteredUser } from "./app.ts";
import { darajaPost, fetchToken, stkPushBody } from "./emulator.ts";
import type { PaymentsStack } from "./payments.ts";

/** The emulator's statement CSV (every line it journalled), exactly as its export route answers. */
export async function emulatorStatementCsv(
  s: PaymentsStack,
  period?: { from: Date; to: Date },
): Promise<string> {
  const query = period ? `?from=${period.from.toISOString()}&to=${period.to.toISOString()}` : "";
  const res = await fetch(`${s.emulator.baseUrl}/__emulator/statement.csv${query}`);
  if (res.status !== 200) throw new Error(`statement export failed: ${res.status} ${await res.text()}`);
  return res.text();
}

/**
 * Money Malipo never heard of, paid for `bookingId`: a push made at the emulator directly (its
 * callback to nowhere), as when a payment reaches the shortcode while Malipo is down. Answers the
 * receipt M-Pesa gave it, on the emulator's statement from then on.
 */
export async function paidAtShortcode(
  s: PaymentsStack,
  bookingId: string,
  phone = "254708374149",
): Promise<string> {
  const base = s.emulator.baseUrl;
  const push = await darajaPost(
    base,
    "/mpesa/stkpush/v1/processrequest",
    await fetchToken(base),
    stkPushBody(phone, {
      AccountReference: accountReferenceFor(bookingId),
      CallBackURL: "http://127.0.0.1:9/nobody-listens",
    }),
  );
  const checkoutRequestId = String(push.json?.CheckoutRequestID);
  const session = await s.emulator.emulator.sessions.waitFor(
    (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
  );
  const receipt = session.receipt?.mpesaReceiptNumber;
  if (!receipt) throw new Error(`the emulator completed ${checkoutRequestId} without a receipt`);
  return receipt;
}

/** Reads the emulator's statement, lets `edit` change its lines, and writes it back as the portal would. */
export async function editedStatementCsv(
  s: PaymentsStack,
  edit: (lines: StatementLine[]) => StatementLine[],
): Promise<string> {
  const statement: Statement = parseStatement(await emulatorStatementCsv(s));
  const lines = edit(statement.lines).sort(
    (a, b) => Date.parse(a.completedAt) - Date.parse(b.completedAt) || b.lineNumber - a.lineNumber,
  );
  return statementCsv({
    shortcode: SANDBOX_SHORTCODE,
    organisationName: "MALIPO",
    from: null,
    to: null,
    lines: lines.map(({ lineNumber: _n, kind: _k, ...line }) => ({ ...line, shortcode: SANDBOX_SHORTCODE })),
  });
}

/** A Paid In line nobody at Malipo heard of (a made-up receipt), for `edit`. */
export function paidInLine(receipt: string, when: Date, over: Partial<StatementLine> = {}): StatementLine {
  const at = when.toISOString();
  return {
    lineNumber: 0,
    receipt,
    completedAt: at,
    initiatedAt: at,
    details: "Pay Bill from 25470****149 - JOHN DOE Acc. BKUNKNOWN",
    status: "Completed",
    paidInCents: 50_000,
    withdrawnCents: 0,
    balanceCents: null,
    reasonType: "Pay Utility",
    otherParty: "25470****149 - JOHN DOE",
    linkedTransactionId: "",
    accountNumber: "",
    kind: "payment_in",
    ...over,
  };
}

export interface ReconciliationRoutes {
  /** POST /admin/reconciliations with the CSV as the body (text/csv unless `contentType`). */
  upload(
    who: RegisteredUser,
    csv: string,
    options?: { period?: { from: Date; to: Date }; contentType?: string },
  ): Promise<LightMyRequestResponse>;
  get(who: RegisteredUser, url: string): Promise<LightMyRequestResponse>;
  decide(
    who: RegisteredUser,
    discrepancyId: string,
    action: "attach" | "refund" | "resolve",
    body: object,
  ): Promise<LightMyRequestResponse>;
}

export function reconciliationRoutes(s: PaymentsStack): ReconciliationRoutes {
  return {
    upload(who, csv, options = {}) {
      const query = options.period
        ? `?from=${encodeURIComponent(options.period.from.toISOString())}&to=${encodeURIComponent(options.period.to.toISOString())}`
        : "";
      return s.t.app.inject({
        method: "POST",
        url: `/api/v1/admin/reconciliations${query}`,
        headers: { ...bearer(who.token), "content-type": options.contentType ?? "text/csv" },
        payload: csv,
      });
    },
    get: (who, url) => s.t.app.inject({ method: "GET", url: `/api/v1${url}`, headers: bearer(who.token) }),
    decide: (who, id, action, body) =>
      s.t.app.inject({
        method: "POST",
        url: `/api/v1/admin/reconciliations/discrepancies/${id}/${action}`,
        headers: bearer(who.token),
        payload: body,
      }),
  };
}

/**
 * Imports the emulator's statement with `extra` Paid In lines (made-up receipts) added, as a new
 * run, and answers the discrepancy of `receipt`.
 */
export async function importWithExtraLines(
  s: PaymentsStack,
  admin: RegisteredUser,
  extra: Array<[receipt: string, line: Partial<StatementLine>]>,
  receipt: string,
): Promise<ReconciliationDiscrepancy> {
  const when = s.clock.now();
  const csv = await editedStatementCsv(s, (lines) => [
    ...lines,
    ...extra.map(([id, over]) => paidInLine(id, when, over)),
  ]);
  const res = await reconciliationRoutes(s).upload(admin, csv);
  if (res.statusCode !== 201) throw new Error(`import failed: ${res.statusCode} ${res.body}`);
  const item = (res.json().data.discrepancies as ReconciliationDiscrepancy[]).find(
    (d) => d.receipt === receipt,
  );
  if (!item) throw new Error(`no discrepancy for ${receipt}: ${res.body}`);
  return item;
}
