/**
 * Statement reconciliation as the rest of Malipo uses it (design: books-and-webhooks.md §1): import
 * a statement (CSV upload or the CLI), read runs and their discrepancies (and a CSV of them), an
 * admin's decisions on a discrepancy, and the Account Balance API (on demand, on a schedule, and
 * its answers). Admins only; decisions are recorded with the admin. The one wiring of the module.
 */
import type { Clock } from "../clock.ts";
import type { DarajaPayoutsApi } from "../daraja/contract.ts";
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Payments } from "../payments/payments.ts";
import type { PayoutsService } from "../payouts/payouts.service.ts";
import type { Secret } from "../secret.ts";
import type { Actor } from "../users/user.ts";
import { findUserById } from "../users/users.repository.ts";
import {
  createBalanceSchedule,
  type IncomingBalanceResult,
  receiveAccountBalance,
  requestAccountBalance,
} from "./account-balance.ts";
import { findCheck, latestCheck } from "./balance-checks.repository.ts";
import { type Decided, decideFoundMoney, resolveDiscrepancy } from "./decide-discrepancy.ts";
import { discrepanciesCsv } from "./discrepancies-csv.ts";
import { importStatement, type StatementImport } from "./import-statement.ts";
import type { Period } from "./our-records.ts";
import {
  discrepanciesOfRun,
  discrepancyCounts,
  findRun,
  listRuns,
  noDiscrepancies,
} from "./runs.repository.ts";
import { parseStatement } from "./statement-csv.ts";
import {
  type BalanceCheckView,
  type ReconciliationDiscrepancy,
  type ReconciliationRunView,
  toBalanceCheckView,
  toDiscrepancyView,
  toRunView,
} from "./views.ts";

export interface RunDetail {
  run: ReconciliationRunView;
  discrepancies: ReconciliationDiscrepancy[];
}

export interface ReconciliationService {
  /** STATEMENT_INVALID (400, naming the line) when the file cannot be read; nothing is written then. */
  importCsv(admin: Actor, csv: string, period: PeriodInput): Promise<{ detail: RunDetail; created: boolean }>;
  /** The CLI's way in (no session): the statement already read. */
  importStatement(input: StatementImport): Promise<{ detail: RunDetail; created: boolean }>;
  listRuns(
    admin: Actor,
    page: { page: number; limit: number },
  ): Promise<{ items: ReconciliationRunView[]; total: number; page: number; pages: number }>;
  getRun(admin: Actor, id: string): Promise<RunDetail>;
  runCsv(admin: Actor, id: string): Promise<{ filename: string; csv: string }>;
  attach(admin: Actor, id: string, input: { bookingId: string; note: string }): Promise<Decided>;
  refund(admin: Actor, id: string, input: { bookingId?: string | undefined; note: string }): Promise<Decided>;
  resolve(admin: Actor, id: string, input: { note: string }): Promise<Decided>;
  requestBalance(admin: Actor): Promise<BalanceCheckView>;
  latestBalance(admin: Actor): Promise<BalanceCheckView | null>;
  /** Daraja's answer on the signed ResultURL / QueueTimeOutURL. */
  receiveBalanceResult(input: IncomingBalanceResult): Promise<void>;
  /** The Account Balance schedule (composition root). */
  start(): void;
  stop(): Promise<void>;
}

export interface PeriodInput {
  from?: string | undefined;
  to?: string | undefined;
}

export interface ReconciliationDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  payments: Pick<Payments, "creditFoundMoney">;
  payouts: Pick<PayoutsService, "announce">;
  daraja: Pick<DarajaPayoutsApi, "accountBalance">;
  publicBaseUrl: string;
  callbackSecret: Secret;
  balanceIntervalMs: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A date is its midnight in Nairobi, as on the portal; a date-time must carry its offset. */
function instantOf(name: string, value: string): string {
  const text = DATE.test(value) ? `${value}T00:00:00+03:00` : value;
  const at = /(?:Z|[+-]\d{2}:\d{2})$/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new AppError(
      "VALIDATION_ERROR",
      `${name} must be a date (2026-01-31) or a date-time with its offset (2026-01-31T21:00:00Z)`,
      { fields: [{ field: name, in: "querystring", message: "is not a date or date-time" }] },
    );
  return at.toISOString();
}

export function periodOf(input: PeriodInput): Period | null {
  if (input.from === undefined && input.to === undefined) return null;
  if (input.from === undefined || input.to === undefined)
    throw new AppError("VALIDATION_ERROR", "Give both from and to, or neither (the statement's own period)");
  const period = { from: instantOf("from", input.from), to: instantOf("to", input.to) };
  if (period.from > period.to) throw new AppError("VALIDATION_ERROR", "from must not be after to");
  return period;
}

/** A run with its discrepancies, as the API shows it; RECONCILIATION_NOT_FOUND when there is none. */
export async function readRunDetail(db: Db, id: string): Promise<RunDetail> {
  const row = await findRun(db.kysely, id);
  if (!row)
    throw new AppError("RECONCILIATION_NOT_FOUND", "No reconciliation run with this id", { runId: id });
  const [counts, items, check] = await Promise.all([
    discrepancyCounts(db.kysely, [id]),
    discrepanciesOfRun(db.kysely, id),
    row.balance_check_id === null ? null : findCheck(db.kysely, row.balance_check_id),
  ]);
  return {
    run: toRunView(row, counts.get(id) ?? noDiscrepancies(), check),
    discrepancies: items.map(toDiscrepancyView),
  };
}

export function createReconciliationService(deps: ReconciliationDeps): ReconciliationService {
  const { db } = deps;
  const logger = deps.logger.child({ module: "reconciliation" });
  const balance = { ...deps, logger, secret: deps.callbackSecret };
  const schedule = createBalanceSchedule(balance, deps.balanceIntervalMs);

  /** Decisions and imports are recorded with the admin: a session of a vanished account cannot act. */
  async function requireAdmin(actor: Actor) {
    if (actor.role !== "admin") throw new AppError("FORBIDDEN", "Only admins reconcile statements");
    if ((await findUserById(db.kysely, actor.id))?.role !== "admin")
      throw new AppError("UNAUTHORIZED", "This account no longer exists; sign in again");
  }

  const detailOf = (id: string) => readRunDetail(db, id);

  async function imported(input: StatementImport) {
    const { run, created } = await importStatement(deps, input);
    const detail = await detailOf(run.id);
    logger.info(
      { runId: run.id, created, lines: detail.run.lines, discrepancies: detail.run.discrepancies.total },
      created ? "statement reconciled" : "statement already reconciled",
    );
    return { detail, created };
  }

  return {
    async importCsv(admin, csv, period) {
      await requireAdmin(admin);
      const within = periodOf(period);
      return imported({
        statement: parseStatement(csv),
        period: within,
        source: "upload",
        createdBy: admin.id,
      });
    },
    importStatement: imported,

    async listRuns(admin, page) {
      await requireAdmin(admin);
      const { rows, total } = await listRuns(db.kysely, page);
      const counts = await discrepancyCounts(
        db.kysely,
        rows.map((r) => r.id),
      );
      const checks = await Promise.all(
        rows.map((r) => (r.balance_check_id === null ? null : findCheck(db.kysely, r.balance_check_id))),
      );
      return {
        items: rows.map((row, i) =>
          toRunView(row, counts.get(row.id) ?? noDiscrepancies(), checks[i] ?? null),
        ),
        total,
        page: page.page,
        pages: Math.ceil(total / page.limit),
      };
    },

    async getRun(admin, id) {
      await requireAdmin(admin);
      return detailOf(id);
    },

    async runCsv(admin, id) {
      await requireAdmin(admin);
      const detail = await detailOf(id);
      return {
        filename: `reconciliation-${id}.csv`,
        csv: discrepanciesCsv(detail.run, detail.discrepancies),
      };
    },

    async attach(admin, id, input) {
      await requireAdmin(admin);
      return decideFoundMoney(deps, admin, id, { decision: "pay_fee", ...input });
    },

    async refund(admin, id, input) {
      await requireAdmin(admin);
      return decideFoundMoney(deps, admin, id, {
        decision: "refund",
        bookingId: input.bookingId,
        note: input.note,
      });
    },

    async resolve(admin, id, input) {
      await requireAdmin(admin);
      return resolveDiscrepancy(deps, admin, id, input.note);
    },

    async requestBalance(admin) {
      await requireAdmin(admin);
      return requestAccountBalance(balance, admin.id);
    },

    async latestBalance(admin) {
      await requireAdmin(admin);
      const row = await latestCheck(db.kysely);
      return row ? toBalanceCheckView(row) : null;
    },

    receiveBalanceResult: (input) => receiveAccountBalance(balance, input),
    start: () => schedule.start(),
    stop: () => schedule.stop(),
  };
}
