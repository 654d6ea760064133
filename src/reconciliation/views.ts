/**
 * Runs, discrepancies and Account Balance answers as the API shows them (admins only), and the
 * discrepancy as a webhook carries it (catalogue.ts). Money is in cents here: a statement carries
 * cents (charges, balances); `amount` in whole KES is kept where our records speak KES.
 */
import type {
  AccountBalanceCheckRow,
  DiscrepancyKind,
  DiscrepancyResolution,
  ReconciledRecordType,
  ReconciliationDiscrepancyRow,
  ReconciliationRunRow,
} from "../db/schema.ts";
import type { DiscrepancyView } from "../webhooks/catalogue.ts";

export type DiscrepancyAction = "attach" | "refund" | "resolve";

export interface ReconciliationDiscrepancy extends DiscrepancyView {
  amountCents: number | null;
  lineNumber: number | null;
  /** The statement line's kind (payment_in, payout_out, reversal_out, other); null for missing_there. */
  lineKind: string | null;
  otherParty: string | null;
  accountNumber: string | null;
  /** The statement's completion time of the line. */
  completedAt: string | null;
  recordType: ReconciledRecordType | null;
  /** missing_here: the failed or pending attempt of ours this money probably paid. */
  candidateTransactionId: string | null;
  details: Record<string, unknown>;
  state: "open" | "resolved";
  resolution: DiscrepancyResolution | null;
  resolutionNote: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  /** The payment the found money became (attached or refunded), and its refund. */
  transactionId: string | null;
  refundId: string | null;
  /** What an admin may decide now. */
  actions: DiscrepancyAction[];
}

export interface BalanceCheckView {
  id: string;
  status: AccountBalanceCheckRow["status"];
  requestedAt: string;
  receivedAt: string | null;
  /** When M-Pesa read the balances. */
  balancesAt: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  utilityCents: number | null;
  workingCents: number | null;
  chargesPaidCents: number | null;
  /** The ledger's mpesa_clearing when the answer arrived. */
  ledgerClearingCents: number | null;
  /** Utility − ledger clearing: the opening balance, charges and anything unrecorded. */
  differenceCents: number | null;
}

export interface ReconciliationRunView {
  id: string;
  createdAt: string;
  createdBy: string | null;
  source: "upload" | "cli";
  period: { from: string; to: string } | null;
  lines: number;
  matched: { payments: number; payouts: number; refunds: number };
  charges: { count: number; amountCents: number };
  other: { count: number; amountCents: number };
  ignored: number;
  discrepancies: Record<DiscrepancyKind, number> & { total: number; open: number };
  balances: {
    statement: {
      paidInCents: number;
      withdrawnCents: number;
      movementCents: number;
      openingCents: number | null;
      closingCents: number | null;
    };
    ledgerMovementCents: number;
    /** Statement movement − ledger movement. */
    differenceCents: number;
    /** What the difference leaves once charges (never booked by us) and others' lines are counted. */
    unexplainedCents: number;
    accountBalance: BalanceCheckView | null;
  };
}

const num = (value: number | string) => Number(value);
const numOrNull = (value: number | string | null) => (value === null ? null : Number(value));

function detailsOf(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function actionsOf(row: ReconciliationDiscrepancyRow): DiscrepancyAction[] {
  if (row.state !== "open") return [];
  if (row.kind === "missing_here" && row.line_kind === "payment_in") return ["attach", "refund", "resolve"];
  return ["resolve"];
}

/** What a webhook carries (the catalogue's shape). */
export function toDiscrepancyEvent(row: ReconciliationDiscrepancyRow): DiscrepancyView {
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind,
    receipt: row.receipt,
    amount: row.amount_cents === null ? null : row.amount_cents / 100,
    currency: "KES",
    recordId: row.record_id,
    detail: row.detail,
    createdAt: row.created_at,
  };
}

export function toDiscrepancyView(row: ReconciliationDiscrepancyRow): ReconciliationDiscrepancy {
  return {
    ...toDiscrepancyEvent(row),
    amountCents: row.amount_cents,
    lineNumber: row.line_number,
    lineKind: row.line_kind,
    otherParty: row.other_party,
    accountNumber: row.account_number,
    completedAt: row.completed_at,
    recordType: row.record_type,
    candidateTransactionId: row.candidate_transaction_id,
    details: detailsOf(row.details),
    state: row.state,
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    transactionId: row.transaction_id,
    refundId: row.refund_id,
    actions: actionsOf(row),
  };
}

export function toBalanceCheckView(row: AccountBalanceCheckRow): BalanceCheckView {
  const utility = numOrNull(row.utility_cents);
  const ledger = row.ledger_clearing_kes === null ? null : Number(row.ledger_clearing_kes) * 100;
  return {
    id: row.id,
    status: row.status,
    requestedAt: row.requested_at,
    receivedAt: row.received_at,
    balancesAt: row.balances_at,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    utilityCents: utility,
    workingCents: numOrNull(row.working_cents),
    chargesPaidCents: numOrNull(row.charges_paid_cents),
    ledgerClearingCents: ledger,
    differenceCents: utility === null || ledger === null ? null : utility - ledger,
  };
}

export function toRunView(
  row: ReconciliationRunRow,
  counts: Record<DiscrepancyKind, number> & { open: number },
  balance: AccountBalanceCheckRow | null,
): ReconciliationRunView {
  const movement = num(row.statement_movement_cents);
  const ledger = num(row.ledger_movement_cents);
  const charges = num(row.charges_cents);
  const other = num(row.other_cents);
  return {
    id: row.id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    source: row.source,
    period:
      row.period_from === null || row.period_to === null
        ? null
        : { from: row.period_from, to: row.period_to },
    lines: row.line_count,
    matched: { payments: row.matched_payments, payouts: row.matched_payouts, refunds: row.matched_refunds },
    charges: { count: row.charges_count, amountCents: charges },
    other: { count: row.other_count, amountCents: other },
    ignored: row.ignored_count,
    discrepancies: { ...counts, total: row.discrepancy_count },
    balances: {
      statement: {
        paidInCents: num(row.paid_in_cents),
        withdrawnCents: num(row.withdrawn_cents),
        movementCents: movement,
        openingCents: numOrNull(row.opening_balance_cents),
        closingCents: numOrNull(row.closing_balance_cents),
      },
      ledgerMovementCents: ledger,
      differenceCents: movement - ledger,
      unexplainedCents: movement - ledger + charges - other,
      accountBalance: balance ? toBalanceCheckView(balance) : null,
    },
  };
}
