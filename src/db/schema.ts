/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings (sortable, identical on SQLite and
 * PostgreSQL); money is integer KES; booleans are 0/1 integers; JSON is text.
 */
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from "kysely";

/**
 * Every payment status, in lifecycle order. The one list: the column holds these values, and the
 * state machine (src/payments/state-machine.ts), the API and the reports use it.
 */
export const PAYMENT_STATUSES = ["initiated", "pending", "completed", "failed", "needs_review"] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Every payout/refund status. The one definition: the column holds these, and src/payouts, the API and reports use it. */
export const PAYOUT_STATUSES = [
  "queued",
  "submitted",
  "unknown",
  "succeeded",
  "failed",
  "needs_review",
] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export type PayoutKind = "payout" | "refund";

/** Every webhook event type (src/webhooks/catalogue.ts gives each its data shape and meaning). */
export const WEBHOOK_EVENT_TYPES = [
  "payment.completed",
  "payment.failed",
  "payment.needs_review",
  "booking_fee.held",
  "booking_fee.released",
  "booking_fee.refunded",
  "payout.succeeded",
  "payout.failed",
  "refund.succeeded",
  "refund.failed",
  "reconciliation.discrepancy",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A delivery is retried while `pending`, then `delivered` (a 2xx) or `failed` (gave up). */
export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How one attempt ended: `refused` means we did not send (a private address, a bad URL). */
export const ATTEMPT_OUTCOMES = ["delivered", "http_error", "timeout", "network_error", "refused"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export type UserRole = "customer" | "technician" | "admin";
export type BookingStatus = "pending_payment" | "matching" | "assigned" | "completed" | "cancelled";
export type BookingFeeStatus = "pending" | "held" | "released" | "refunded";
export type CallbackVerdict = "received" | "accepted" | "duplicate" | "rejected";
export type LedgerAccountCode =
  | "mpesa_clearing"
  | "booking_fee_escrow"
  | "suspense"
  | "customer_refunds_payable"
  | "technician_payable"
  | "platform_revenue";

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  phone_number: string | null;
  role: UserRole;
  created_at: string;
}

export interface BookingsTable {
  id: string;
  customer_id: string;
  technician_id: string | null;
  service: string;
  description: string | null;
  location: string | null;
  scheduled_for: string | null;
  status: BookingStatus;
  /** Why it was cancelled (the canceller's words); null unless cancelled. Optional on insert. */
  cancel_reason: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
}

/** Every change of a booking's status, with who made it. */
export interface BookingEventsTable {
  id: string;
  booking_id: string;
  type: string;
  from_status: BookingStatus | null;
  to_status: BookingStatus;
  actor_id: string | null;
  data: string;
  created_at: string;
}

export interface BookingFeesTable {
  id: string;
  booking_id: string;
  amount: number;
  currency: string;
  status: BookingFeeStatus;
  /** The transaction whose payment is held in escrow for this fee. */
  paid_transaction_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface PaymentTransactionsTable {
  id: string;
  booking_id: string;
  booking_fee_id: string;
  user_id: string;
  phone_number: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  /** Equals booking_fee_id while the attempt is initiated/pending, else NULL: UNIQUE makes one open attempt per fee. */
  open_fee_key: string | null;
  merchant_request_id: string | null;
  checkout_request_id: string | null;
  mpesa_receipt_number: string | null;
  result_code: string | null;
  result_desc: string | null;
  failure_reason: string | null;
  paid_amount: number | null;
  paid_phone: string | null;
  mpesa_transaction_date: string | null;
  /** When the reconciler should next ask Daraja about this attempt. */
  next_check_at: string | null;
  check_attempts: number;
  last_queried_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface MpesaCallbacksTable {
  id: string;
  transaction_id: string | null;
  checkout_request_id: string | null;
  merchant_request_id: string | null;
  result_code: string | null;
  source_ip: string | null;
  signature_valid: number;
  /** The body as received; for a callback refused on arrival, only its first `invalidCallbackBodyChars`. */
  raw_body: string;
  /** Size of the body as received, in bytes (NULL for rows stored before it was recorded). */
  body_bytes: number | null;
  verdict: CallbackVerdict;
  reason: string | null;
  received_at: string;
  processed_at: string | null;
  lease_until: string | null;
  /** How many times processing failed; at `callbackMaxFailures` the callback goes to review. */
  failures: Generated<number>;
}

export interface PaymentEventsTable {
  id: string;
  transaction_id: string;
  booking_id: string;
  type: string;
  from_status: PaymentStatus | null;
  to_status: PaymentStatus;
  data: string;
  created_at: string;
}

export interface LedgerAccountsTable {
  code: LedgerAccountCode;
  name: string;
}

export interface LedgerTransfersTable {
  id: string;
  /** Unique: the same money movement can never be posted twice. */
  transfer_key: string;
  kind: string;
  transaction_id: string | null;
  booking_fee_id: string | null;
  amount: number;
  created_at: string;
}

export interface LedgerEntriesTable {
  id: string;
  transfer_id: string;
  account_code: LedgerAccountCode;
  /** Signed integer KES: debit positive, credit negative. Every transfer's entries sum to zero. */
  amount: number;
  created_at: string;
}

/** Columns payouts and refunds share: one state machine moves both (src/payouts). */
export interface MoneyOutColumns {
  id: string;
  booking_id: string;
  booking_fee_id: string;
  /** Canonical MSISDN the money goes to. */
  phone_number: string;
  amount: number;
  currency: string;
  status: PayoutStatus;
  /** 1 when an admin must approve before submission (PAYOUT_APPROVAL=admin at creation). */
  approval_required: number;
  approved_by: string | null;
  approved_at: string | null;
  /** Each fresh attempt (after a definitive failure) gets a new OriginatorConversationID. */
  attempt: number;
  failures: number;
  originator_conversation_id: string | null;
  conversation_id: string | null;
  /** Daraja's TransactionID of the payout or reversal. */
  receipt: string | null;
  result_code: string | null;
  result_desc: string | null;
  failure_reason: string | null;
  /** When a send of the current attempt was started (recorded before calling Daraja). */
  submit_started_at: string | null;
  /** When it first left `queued` (the 24 h deadline counts from here). */
  submitted_at: string | null;
  /** When the submitter should next look at it (retry, result overdue, Transaction Status). */
  next_check_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** A technician's share of a released booking fee, sent by B2C. One per booking fee. */
export interface PayoutsTable extends MoneyOutColumns {
  technician_id: string;
}

/** Money owed back to a customer, sent by reversing their payment. One per payment transaction. */
export interface RefundsTable extends MoneyOutColumns {
  customer_id: string;
  /** The payment being reversed. */
  transaction_id: string;
  /** Its M-Pesa receipt (the Reversal's TransactionID); null when we never learnt it. */
  original_receipt: string | null;
  reason: string;
}

export interface PayoutEventsTable {
  id: string;
  item_kind: PayoutKind;
  item_id: string;
  type: string;
  from_status: PayoutStatus | null;
  to_status: PayoutStatus;
  /** The admin behind a decision (approval, retry, resolution); null for Daraja and the system. */
  actor_id: string | null;
  data: string;
  created_at: string;
}

/** Which of Daraja's calls back a payout result arrived on. */
export type PayoutResultRoute =
  | "b2c_result"
  | "b2c_timeout"
  | "reversal_result"
  | "reversal_timeout"
  | "status_result"
  | "status_timeout";

/** A B2C, Reversal or Transaction Status result (or queue-timeout notice) as received, then its verdict. */
export interface PayoutResultsTable {
  id: string;
  route: PayoutResultRoute;
  /** The item the signed URL names, as sent (even with a wrong signature); null when absent. */
  item_kind: string | null;
  item_id: string | null;
  signature_valid: number;
  conversation_id: string | null;
  originator_conversation_id: string | null;
  result_code: string | null;
  source_ip: string | null;
  /** The body as received; for a result refused on arrival, only its first part. */
  raw_body: string;
  body_bytes: number;
  verdict: CallbackVerdict;
  reason: string | null;
  received_at: string;
  processed_at: string | null;
  lease_until: string | null;
  failures: Generated<number>;
}

/** Something a person must settle (money that may have been taken unseen, a callback we could not process). */
export interface PaymentReviewsTable {
  id: string;
  /** Unique: each item is opened once (`push_unconfirmed:<transactionId>`, `callback:<callbackId>`). */
  review_key: string;
  transaction_id: string;
  callback_id: string | null;
  /** One line for the person deciding, with what is known. */
  reason: string;
  /** JSON: the facts (phone, amount, when, the account reference …). */
  details: string;
  created_at: string;
  resolved_at: string | null;
  /** The admin who closed the item by a decision of its own (null: closed by what settled its payment). */
  resolved_by: string | null;
  resolution_note: string | null;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  created_at: string;
  /** Who holds the claim: new at every takeover; only its holder may link, answer or release. */
  claim_id: string | null;
  /** The attempt the claim's request created (its push may be in flight while it is `initiated`). */
  transaction_id: string | null;
}

/** What the statement reconciliation found wrong (design: books-and-webhooks.md §1). */
export const DISCREPANCY_KINDS = [
  "missing_here",
  "missing_there",
  "amount_differs",
  "status_differs",
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** How a discrepancy was closed: money attached to a booking or refunded, a note, or a later run. */
export const DISCREPANCY_RESOLUTIONS = ["attached", "refunded", "resolved", "superseded"] as const;
export type DiscrepancyResolution = (typeof DISCREPANCY_RESOLUTIONS)[number];

/** What of ours a discrepancy is about. */
export type ReconciledRecordType = "payment" | "payout" | "refund";

/**
 * A bigint column (cents totals, balances): written as a number; read back as a number on SQLite and
 * as a decimal string on PostgreSQL, so readers convert with Number().
 */
export type BigintColumn = ColumnType<number | string, number, number>;
export type NullableBigintColumn = ColumnType<number | string | null, number | null, number | null>;

/** One Account Balance query and its asynchronous answer (src/reconciliation/account-balance.ts). */
export interface AccountBalanceChecksTable {
  id: string;
  requested_by: string | null;
  requested_at: string;
  status: "requested" | "accepted" | "completed" | "failed";
  originator_conversation_id: string | null;
  conversation_id: string | null;
  result_code: string | null;
  result_desc: string | null;
  working_cents: NullableBigintColumn;
  utility_cents: NullableBigintColumn;
  charges_paid_cents: NullableBigintColumn;
  /** JSON array of every account the answer listed. */
  accounts: string | null;
  /** BOCompletedTime: when M-Pesa read the balances. */
  balances_at: string | null;
  /** The ledger's mpesa_clearing balance when the answer arrived, whole KES. */
  ledger_clearing_kes: NullableBigintColumn;
  received_at: string | null;
  raw_body: string | null;
}

/** One imported statement (UNIQUE hash: importing it again answers this run). Money in cents. */
export interface ReconciliationRunsTable {
  id: string;
  statement_hash: string;
  source: "upload" | "cli";
  created_by: string | null;
  period_from: string | null;
  period_to: string | null;
  line_count: number;
  matched_payments: number;
  matched_payouts: number;
  matched_refunds: number;
  charges_count: number;
  charges_cents: BigintColumn;
  other_count: number;
  other_cents: BigintColumn;
  ignored_count: number;
  paid_in_cents: BigintColumn;
  withdrawn_cents: BigintColumn;
  statement_movement_cents: BigintColumn;
  ledger_movement_cents: BigintColumn;
  opening_balance_cents: NullableBigintColumn;
  closing_balance_cents: NullableBigintColumn;
  balance_check_id: string | null;
  discrepancy_count: number;
  created_at: string;
}

/** One disagreement a run found; a review item while `open` (one open per `discrepancy_key`). */
export interface ReconciliationDiscrepanciesTable {
  id: string;
  run_id: string;
  /** Order within the run: the statement's lines first, then what only we recorded. */
  position: number;
  discrepancy_key: string;
  kind: DiscrepancyKind;
  /** The statement line's kind (payment_in, payout_out, …); null when no line shows it. */
  line_kind: string | null;
  line_number: number | null;
  receipt: string | null;
  amount_cents: number | null;
  other_party: string | null;
  account_number: string | null;
  completed_at: string | null;
  record_type: ReconciledRecordType | null;
  record_id: string | null;
  /** missing_here: an attempt of ours that this money probably paid (its push answer was lost). */
  candidate_transaction_id: string | null;
  detail: string;
  /** JSON: the facts of both sides. */
  details: string;
  state: "open" | "resolved";
  resolution: DiscrepancyResolution | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  /** The payment the found money became (attached or refunded). */
  transaction_id: string | null;
  refund_id: string | null;
  created_at: string;
}

/** Where the platform hears about money events (src/webhooks). */
export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON array of WebhookEventType. */
  event_types: string;
  enabled: number;
  /** `whsec_<base64>`: signs every delivery. */
  secret: string;
  /** The secret before the last rotation: also signs until `previous_secret_expires_at`. */
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The outbox: one row per event, written in the transaction of the change it reports. */
export interface WebhookEventsTable {
  id: string;
  type: WebhookEventType;
  /** The exact JSON body every delivery sends: `{id, type, createdAt, data}`. */
  payload: string;
  created_at: string;
}

/** One event for one endpoint: retried with backoff until delivered, or failed after its window. */
export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  event_type: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due; null unless pending. */
  next_attempt_at: string | null;
  /** Retries stop a fixed time (3 days) after this: the creation, or the last resend. */
  window_started_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** The log: one row per attempt, written once (UNIQUE delivery + attempt). */
export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  outcome: AttemptOutcome;
  status_code: number | null;
  latency_ms: number;
  /** The start of the response body, capped. */
  response_excerpt: string | null;
  error: string | null;
  started_at: string;
}

export interface Database {
  users: UsersTable;
  bookings: BookingsTable;
  booking_events: BookingEventsTable;
  booking_fees: BookingFeesTable;
  payment_transactions: PaymentTransactionsTable;
  mpesa_callbacks: MpesaCallbacksTable;
  payment_events: PaymentEventsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_entries: LedgerEntriesTable;
  idempotency_keys: IdempotencyKeysTable;
  payouts: PayoutsTable;
  refunds: RefundsTable;
  payout_events: PayoutEventsTable;
  payment_reviews: PaymentReviewsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  payout_results: PayoutResultsTable;
  account_balance_checks: AccountBalanceChecksTable;
  reconciliation_runs: ReconciliationRunsTable;
  reconciliation_discrepancies: ReconciliationDiscrepanciesTable;
}

export type UserRow = Selectable<UsersTable>;
export type BookingRow = Selectable<BookingsTable>;
export type BookingFeeRow = Selectable<BookingFeesTable>;
export type PaymentTransactionRow = Selectable<PaymentTransactionsTable>;
export type NewPaymentTransaction = Insertable<PaymentTransactionsTable>;
export type PaymentTransactionUpdate = Updateable<PaymentTransactionsTable>;
export type MpesaCallbackRow = Selectable<MpesaCallbacksTable>;
export type PaymentEventRow = Selectable<PaymentEventsTable>;
export type PayoutRow = Selectable<PayoutsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type PayoutEventRow = Selectable<PayoutEventsTable>;
export type PaymentReviewRow = Selectable<PaymentReviewsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookEventRow = Selectable<WebhookEventsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type PayoutResultRow = Selectable<PayoutResultsTable>;
export type AccountBalanceCheckRow = Selectable<AccountBalanceChecksTable>;
export type ReconciliationRunRow = Selectable<ReconciliationRunsTable>;
export type ReconciliationDiscrepancyRow = Selectable<ReconciliationDiscrepanciesTable>;
export type { Generated };

/** What every data function takes first: the database, or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
