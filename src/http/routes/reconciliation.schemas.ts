/** Response shapes of the reconciliation routes (and the review queue's discrepancies section). */
import { Type } from "@fastify/type-provider-typebox";
import { DISCREPANCY_KINDS, DISCREPANCY_RESOLUTIONS } from "../../db/schema.ts";
import { Nullable } from "../schemas.ts";

const Cents = (description: string) => Type.Integer({ description: `${description}, in cents` });
const NullableCents = (description: string) => Nullable(Cents(description));

export const DiscrepancySchema = Type.Object({
  id: Type.String(),
  runId: Type.String({ description: "The run that found it (the latest, when found again)" }),
  kind: Type.Enum([...DISCREPANCY_KINDS], {
    description:
      "missing_here: money on the statement we have no record of; missing_there: ours, not on the statement; amount_differs; status_differs",
  }),
  receipt: Nullable(Type.String()),
  amount: Nullable(Type.Number({ description: "KES (the statement's amount, or ours)" })),
  amountCents: NullableCents("The same amount"),
  currency: Type.Literal("KES"),
  recordId: Nullable(Type.String({ description: "Our payment, payout or refund it is about" })),
  recordType: Nullable(Type.Enum(["payment", "payout", "refund"])),
  detail: Type.String({ description: "One line for the person deciding" }),
  lineNumber: Nullable(Type.Integer({ description: "The statement file's line" })),
  lineKind: Nullable(Type.String({ description: "payment_in, payout_out, reversal_out or other" })),
  otherParty: Nullable(Type.String({ description: "The statement's Other Party Info (the payer)" })),
  accountNumber: Nullable(Type.String({ description: "The statement's A/C No." })),
  completedAt: Nullable(Type.String({ format: "date-time", description: "The statement's Completion Time" })),
  candidateTransactionId: Nullable(
    Type.String({ description: "missing_here: the failed or pending attempt this money probably paid" }),
  ),
  details: Type.Record(Type.String(), Type.Unknown(), { description: "Both sides' facts" }),
  state: Type.Enum(["open", "resolved"]),
  resolution: Nullable(Type.Enum([...DISCREPANCY_RESOLUTIONS])),
  resolutionNote: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String({ description: "The admin who decided" })),
  resolvedAt: Nullable(Type.String({ format: "date-time" })),
  transactionId: Nullable(Type.String({ description: "The payment the found money became" })),
  refundId: Nullable(Type.String({ description: "The refund that sends it back" })),
  actions: Type.Array(Type.Enum(["attach", "refund", "resolve"]), {
    description: "What an admin may decide now",
  }),
  createdAt: Type.String({ format: "date-time" }),
});

export const BalanceCheckSchema = Type.Object({
  id: Type.String(),
  status: Type.Enum(["requested", "accepted", "completed", "failed"]),
  requestedAt: Type.String({ format: "date-time" }),
  receivedAt: Nullable(Type.String({ format: "date-time" })),
  balancesAt: Nullable(Type.String({ format: "date-time", description: "When M-Pesa read them" })),
  resultCode: Nullable(Type.String()),
  resultDesc: Nullable(Type.String()),
  utilityCents: NullableCents("The Utility Account (available)"),
  workingCents: NullableCents("The Working Account (available)"),
  chargesPaidCents: NullableCents("The Charges Paid Account"),
  ledgerClearingCents: NullableCents("The ledger's mpesa_clearing when the answer arrived"),
  differenceCents: NullableCents("Utility − ledger clearing (opening balance, charges, anything unrecorded)"),
});

const KindCounts = Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, Type.Integer()]));

export const RunSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  createdBy: Nullable(Type.String({ description: "The admin who imported it; null from the command line" })),
  source: Type.Enum(["upload", "cli"]),
  period: Nullable(
    Type.Object({ from: Type.String({ format: "date-time" }), to: Type.String({ format: "date-time" }) }),
  ),
  lines: Type.Integer(),
  matched: Type.Object({ payments: Type.Integer(), payouts: Type.Integer(), refunds: Type.Integer() }),
  charges: Type.Object({ count: Type.Integer(), amountCents: Cents("Safaricom's charges on the statement") }),
  other: Type.Object({ count: Type.Integer(), amountCents: Cents("Net of lines that are not ours") }),
  ignored: Type.Integer({ description: "Lines on which no money moved and that name nothing of ours" }),
  discrepancies: Type.Object({ ...KindCounts, total: Type.Integer(), open: Type.Integer() }),
  balances: Type.Object({
    statement: Type.Object({
      paidInCents: Cents("Σ Paid In"),
      withdrawnCents: Cents("Σ Withdrawn, charges included"),
      movementCents: Cents("Paid in − withdrawn"),
      openingCents: NullableCents("The balance before the first line"),
      closingCents: NullableCents("The balance after the last line"),
    }),
    ledgerMovementCents: Cents("The ledger's mpesa_clearing movement over the period"),
    differenceCents: Cents("Statement movement − ledger movement"),
    unexplainedCents: Cents("The difference less the charges and others' lines"),
    accountBalance: Nullable(BalanceCheckSchema),
  }),
});

export const RunDetailSchema = Type.Object({ run: RunSchema, discrepancies: Type.Array(DiscrepancySchema) });
