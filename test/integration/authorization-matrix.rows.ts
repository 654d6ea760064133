/**
 * The rows of the authorization matrix (authorization-matrix.test.ts): for every route of the app,
 * the request each column sends and the answer it must get. Columns: the session tokens that must
 * be refused (none, expired, altered, unsigned, another algorithm or secret), then each role on
 * the row's target (customer A, technician T1, an admin), then "other": the other person of the
 * owner's role (customer C, technician T2) on the owner's resource — 404 wherever the API hides
 * what exists. `null`: the column does not apply (the route names nobody's resource).
 *
 * Routes no session opens (public, Daraja's signed URLs, /metrics): authorization-matrix.open-rows.ts.
 */
import type { World } from "../support/world.ts";
import { OPEN_ROWS } from "./authorization-matrix.open-rows.ts";

/** An answer: the status, or the status and error code (`"404 BOOKING_NOT_FOUND"`). */
export type Answer = number | `${number} ${string}`;
export type Cell = Answer | null;

export interface Who {
  column: string;
  token: string | null;
  userId: string;
  /** The caller's own numbers: the only ones an answer may show in full. */
  phones: string[];
}

export interface MatrixRequest {
  url: string;
  payload?: Record<string, unknown> | string;
}

export type Access =
  /** Signed-in routes: customer, technician, admin, other. */
  | {
      kind: "session";
      as: [Cell, Cell, Cell, Cell];
      /** Who "other" is: the other customer (default) or the other technician. */
      other: "customer" | "technician";
      /** Ids of the owner's that an answer to "other" must not contain. */
      hides?: (w: World) => string[];
      /** Shows other people's full phone numbers (every other answer masks all but the caller's). */
      fullPhones?: true;
    }
  /** No session: every column gets the same answer. */
  | { kind: "public"; answer: Answer }
  /** Daraja's signed URLs: `signed` is the request with our signature (a replay of a settled notice). */
  | { kind: "signed"; signed: (w: World) => MatrixRequest }
  /** Prometheus text behind METRICS_TOKEN. */
  | { kind: "metrics" };

export interface Row {
  access: Access;
  request(w: World, who: Who): MatrixRequest;
}

const A = "/api/v1";
const PAY = `${A}/payments/mpesa`;
const session = (
  as: [Cell, Cell, Cell, Cell],
  request: Row["request"],
  options: { other?: "customer" | "technician"; hides?: (w: World) => string[]; fullPhones?: true } = {},
): Row => ({
  access: {
    kind: "session",
    as,
    other: options.other ?? "customer",
    ...(options.hides ? { hides: options.hides } : {}),
    ...(options.fullPhones ? { fullPhones: options.fullPhones } : {}),
  },
  request,
});
const fixed = (url: string) => () => ({ url });
const note = "checked by the authorization matrix";

export const ROWS: Record<string, Row> = {
  ...OPEN_ROWS,

  // ── Signed in ────────────────────────────────────────────────────────────────────────────────
  //                                  customer    technician  admin   other
  "GET /api/v1/auth/me": session([200, 200, 200, null], fixed(`${A}/auth/me`)),
  "PATCH /api/v1/auth/me": session([200, 200, 200, null], (_w, who) => ({
    url: `${A}/auth/me`,
    payload: { phoneNumber: who.phones[0] ?? "0711000999" },
  })),
  "POST /api/v1/bookings": session([201, "403 FORBIDDEN", "403 FORBIDDEN", null], () => ({
    url: `${A}/bookings`,
    payload: { service: "Plumbing" },
  })),
  "GET /api/v1/bookings": session(
    [200, 200, 200, 200],
    (w) => ({ url: `${A}/bookings?customerId=${w.customer.userId}` }),
    { hides: (w) => [w.customer.bookingId, w.customer.refundedBookingId, w.customer.unpaidBookingId] },
  ),
  "GET /api/v1/bookings/:id": session([200, 200, 200, "404 BOOKING_NOT_FOUND"], (w) => ({
    url: `${A}/bookings/${w.customer.bookingId}`,
  })),
  // "other" here is technician T2 on a booking no technician ever saw (cancelled before payment).
  "POST /api/v1/bookings/:id/accept": session(
    ["403 FORBIDDEN", "409 BOOKING_NOT_AVAILABLE", "403 FORBIDDEN", "404 BOOKING_NOT_FOUND"],
    (w, who) => ({
      url: `${A}/bookings/${who.column === "other" ? w.otherCustomer.cancelledUnpaidBookingId : w.customer.bookingId}/accept`,
    }),
    { other: "technician" },
  ),
  "POST /api/v1/bookings/:id/complete": session(
    ["403 FORBIDDEN", "409 BOOKING_NOT_COMPLETABLE", "409 BOOKING_NOT_COMPLETABLE", "404 BOOKING_NOT_FOUND"],
    (w) => ({ url: `${A}/bookings/${w.customer.bookingId}/complete` }),
    { other: "technician" },
  ),
  "POST /api/v1/bookings/:id/cancel": session(
    ["409 BOOKING_NOT_CANCELLABLE", "403 FORBIDDEN", "409 BOOKING_NOT_CANCELLABLE", "404 BOOKING_NOT_FOUND"],
    (w) => ({ url: `${A}/bookings/${w.customer.bookingId}/cancel`, payload: { reason: note } }),
  ),
  "POST /api/v1/admin/bookings/:id/assign": session(
    ["403 FORBIDDEN", "403 FORBIDDEN", "409 BOOKING_NOT_AVAILABLE", null],
    (w) => ({
      url: `${A}/admin/bookings/${w.customer.bookingId}/assign`,
      payload: { technicianId: w.otherTechnician.userId },
    }),
  ),
  "POST /api/v1/payments/mpesa/stkpush": session(
    ["409 ALREADY_PAID", "403 FORBIDDEN", "403 FORBIDDEN", "404 BOOKING_NOT_FOUND"],
    (w, who) => ({
      url: `${PAY}/stkpush`,
      payload: {
        phoneNumber: "0708374149",
        bookingId: who.column === "other" ? w.customer.unpaidBookingId : w.customer.bookingId,
        amount: 500,
        type: "booking_fee",
      },
    }),
  ),
  "GET /api/v1/payments/mpesa/status/:transactionId": session(
    [200, "404 TRANSACTION_NOT_FOUND", 200, "404 TRANSACTION_NOT_FOUND"],
    (w) => ({ url: `${PAY}/status/${w.customer.transactionId}` }),
  ),
  "GET /api/v1/payments/mpesa/status/:transactionId/events": session(
    [200, "404 TRANSACTION_NOT_FOUND", 200, "404 TRANSACTION_NOT_FOUND"],
    (w) => ({ url: `${PAY}/status/${w.customer.transactionId}/events` }),
  ),
  "GET /api/v1/payments/mpesa/history": session(
    [200, 200, 200, 200],
    (w) => ({ url: `${PAY}/history?userId=${w.customer.userId}` }),
    { hides: (w) => [w.customer.transactionId, w.customer.refundedTransactionId] },
  ),
  "GET /api/v1/payouts": session(["403 FORBIDDEN", 200, 200, 200], fixed(`${A}/payouts`), {
    other: "technician",
    hides: (w) => [w.technician.payoutId],
  }),
  "GET /api/v1/payouts/:id": session(
    ["404 PAYOUT_NOT_FOUND", 200, 200, "404 PAYOUT_NOT_FOUND"],
    (w) => ({ url: `${A}/payouts/${w.technician.payoutId}` }),
    { other: "technician" },
  ),
  "GET /api/v1/refunds": session([200, "403 FORBIDDEN", 200, 200], fixed(`${A}/refunds`), {
    hides: (w) => [w.customer.refundId],
  }),
  "GET /api/v1/refunds/:id": session([200, "404 REFUND_NOT_FOUND", 200, "404 REFUND_NOT_FOUND"], (w) => ({
    url: `${A}/refunds/${w.customer.refundId}`,
  })),
  "POST /api/v1/admin/payouts/:id/approve": session(
    ["403 FORBIDDEN", "403 FORBIDDEN", "409 PAYOUT_NOT_APPROVABLE", null],
    (w) => ({ url: `${A}/admin/payouts/${w.technician.payoutId}/approve` }),
  ),
  "GET /api/v1/admin/reports/payments": adminOnly(200, fixed(`${A}/admin/reports/payments`)),
  "GET /api/v1/admin/reports/money-out": adminOnly(200, fixed(`${A}/admin/reports/money-out`)),
  // Admins choose whom to assign by number (api.md says masked to all but the owner: a known exception).
  "GET /api/v1/admin/technicians": session(
    ["403 FORBIDDEN", "403 FORBIDDEN", 200, null],
    fixed(`${A}/admin/technicians`),
    { fullPhones: true },
  ),
  "GET /api/v1/admin/review": adminOnly(200, fixed(`${A}/admin/review`)),
  "POST /api/v1/admin/transactions/:id/resolve": adminOnly("409 TRANSACTION_NOT_RESOLVABLE", (w) => ({
    url: `${A}/admin/transactions/${w.customer.transactionId}/resolve`,
    payload: { action: "refund", note },
  })),
  "POST /api/v1/admin/payouts/:id/retry": adminOnly("409 PAYOUT_NOT_RETRYABLE", (w) => ({
    url: `${A}/admin/payouts/${w.technician.payoutId}/retry`,
    payload: { note },
  })),
  "POST /api/v1/admin/payouts/:id/resolve": adminOnly("409 PAYOUT_NOT_RESOLVABLE", (w) => ({
    url: `${A}/admin/payouts/${w.technician.payoutId}/resolve`,
    payload: { outcome: "failed", note },
  })),
  "POST /api/v1/admin/refunds/:id/retry": adminOnly("409 REFUND_NOT_RETRYABLE", (w) => ({
    url: `${A}/admin/refunds/${w.customer.refundId}/retry`,
    payload: { note },
  })),
  "POST /api/v1/admin/refunds/:id/resolve": adminOnly("409 REFUND_NOT_RESOLVABLE", (w) => ({
    url: `${A}/admin/refunds/${w.customer.refundId}/resolve`,
    payload: { outcome: "failed", note },
  })),
  "POST /api/v1/admin/review/payment-reviews/:id/close": adminOnly("404 REVIEW_NOT_FOUND", () => ({
    url: `${A}/admin/review/payment-reviews/rev_matrix/close`,
    payload: { note },
  })),
  // A statement that reads would write a run (and discrepancies): a body that is not one (the
  // matrix sends JSON; a statement is text/csv) proves the admin got past authorization, and
  // writes nothing.
  "POST /api/v1/admin/reconciliations": adminOnly("415 UNSUPPORTED_MEDIA_TYPE", () => ({
    url: `${A}/admin/reconciliations`,
    payload: "not a statement",
  })),
  "GET /api/v1/admin/reconciliations": adminOnly(200, fixed(`${A}/admin/reconciliations`)),
  "GET /api/v1/admin/reconciliations/balance": adminOnly(200, fixed(`${A}/admin/reconciliations/balance`)),
  "POST /api/v1/admin/reconciliations/balance": adminOnly(202, fixed(`${A}/admin/reconciliations/balance`)),
  "GET /api/v1/admin/reconciliations/:id": adminOnly(
    "404 RECONCILIATION_NOT_FOUND",
    fixed(`${A}/admin/reconciliations/rec_matrix`),
  ),
  "GET /api/v1/admin/reconciliations/:id/discrepancies.csv": adminOnly(
    "404 RECONCILIATION_NOT_FOUND",
    fixed(`${A}/admin/reconciliations/rec_matrix/discrepancies.csv`),
  ),
  "POST /api/v1/admin/reconciliations/discrepancies/:id/attach": adminOnly(
    "404 DISCREPANCY_NOT_FOUND",
    (w) => ({
      url: `${A}/admin/reconciliations/discrepancies/dsc_matrix/attach`,
      payload: { bookingId: w.customer.unpaidBookingId, note },
    }),
  ),
  "POST /api/v1/admin/reconciliations/discrepancies/:id/refund": adminOnly(
    "404 DISCREPANCY_NOT_FOUND",
    () => ({
      url: `${A}/admin/reconciliations/discrepancies/dsc_matrix/refund`,
      payload: { note },
    }),
  ),
  "POST /api/v1/admin/reconciliations/discrepancies/:id/resolve": adminOnly(
    "404 DISCREPANCY_NOT_FOUND",
    () => ({
      url: `${A}/admin/reconciliations/discrepancies/dsc_matrix/resolve`,
      payload: { note },
    }),
  ),
  "GET /api/v1/admin/webhooks/endpoints": adminOnly(200, fixed(`${A}/admin/webhooks/endpoints`)),
  "POST /api/v1/admin/webhooks/endpoints": adminOnly(201, () => ({
    url: `${A}/admin/webhooks/endpoints`,
    payload: { url: "https://matrix.example.com/hook" },
  })),
  "GET /api/v1/admin/webhooks/endpoints/:id": adminOnly(200, (w) => ({
    url: `${A}/admin/webhooks/endpoints/${w.endpointId}`,
  })),
  "PATCH /api/v1/admin/webhooks/endpoints/:id": adminOnly(200, (w) => ({
    url: `${A}/admin/webhooks/endpoints/${w.endpointId}`,
    payload: { description: "the platform" },
  })),
  "DELETE /api/v1/admin/webhooks/endpoints/:id": adminOnly(204, (w) => ({
    url: `${A}/admin/webhooks/endpoints/${w.spareEndpointId}`,
  })),
  "POST /api/v1/admin/webhooks/endpoints/:id/rotate-secret": adminOnly(200, (w) => ({
    url: `${A}/admin/webhooks/endpoints/${w.endpointId}/rotate-secret`,
  })),
  "GET /api/v1/admin/webhooks/endpoints/:id/deliveries": adminOnly(200, (w) => ({
    url: `${A}/admin/webhooks/endpoints/${w.endpointId}/deliveries`,
  })),
  "POST /api/v1/admin/webhooks/deliveries/:id/resend": adminOnly(202, (w) => ({
    url: `${A}/admin/webhooks/deliveries/${w.deliveryId}/resend`,
  })),
  "POST /api/v1/admin/webhooks/endpoints/:id/resend-failed": adminOnly(202, (w) => ({
    url: `${A}/admin/webhooks/endpoints/${w.endpointId}/resend-failed`,
    payload: { since: "2026-01-01" },
  })),
  "POST /api/v1/admin/webhooks/endpoints/:id/test": adminOnly(202, (w) => ({
    url: `${A}/admin/webhooks/endpoints/${w.endpointId}/test`,
  })),
};

function adminOnly(answer: Answer, request: Row["request"]): Row {
  return session(["403 FORBIDDEN", "403 FORBIDDEN", answer, null], request);
}
