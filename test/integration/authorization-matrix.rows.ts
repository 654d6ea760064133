/**
 * The rows of the authorization matrix (authorization-matrix.test.ts): for every route of the app,
 * the request each column sends and the answer it must get. Columns: the session tokens that must
 * be refused (none, expired, altered, unsigned, another algorithm or secret), then each role on
 * the row's target (customer A, technician T1, an admin), then "other": the other person of the
 * owner's role (customer C, technician T2) on the owner's resource — 404 wherever the API hides
 * what exists. `null`: the column does not apply (the route names nobody's resource).
 *
 * Public routes answer the same whatever the token; Daraja's signed routes refuse any request
 * whose URL signature is not ours, whatever session comes with it; /metrics takes only its token.
 */
import { callbackSignature, signatureOf } from "../../src/payments/callback-url.ts";
import { uniqueEmail } from "../support/app.ts";
import type { World } from "../support/world.ts";

/** An answer: the status, or the status and error code (`"404 BOOKING_NOT_FOUND"`). */
export type Answer = number | `${number} ${string}`;
export type Cell = Answer | null;

export interface Who {
  column: string;
  token: string | null;
  userId: string;
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
  options: { other?: "customer" | "technician"; hides?: (w: World) => string[] } = {},
): Row => ({
  access: {
    kind: "session",
    as,
    other: options.other ?? "customer",
    ...(options.hides ? { hides: options.hides } : {}),
  },
  request,
});
const fixed = (url: string) => () => ({ url });
const publicRow = (answer: Answer, request: Row["request"] = () => ({ url: "" })): Row => ({
  access: { kind: "public", answer },
  request,
});
const get = (url: string): Row => publicRow(200, fixed(url));
const note = "checked by the authorization matrix";

/** An unsigned (or signed) Daraja notice about the world's settled items. */
function signedRow(route: string, body: (w: World) => string, subject: (w: World) => [string, string]): Row {
  const url = (w: World, sig: string | null) => {
    const [kind, id] = subject(w);
    const query = new URLSearchParams({ kind, id, ...(sig === null ? {} : { sig }) });
    return `${PAY}/${route}?${query}`;
  };
  return {
    access: {
      kind: "signed",
      signed: (w) => {
        const [kind, id] = subject(w);
        return { url: url(w, signatureOf(w.s.t.config.callbackSecret, `${kind}:${id}`)), payload: body(w) };
      },
    },
    request: (w) => ({ url: url(w, null), payload: body(w) }),
  };
}
const payoutOf = (w: World): [string, string] => ["payout", w.technician.payoutId];
const refundOf = (w: World): [string, string] => ["refund", w.customer.refundId];

export const ROWS: Record<string, Row> = {
  // ── Public ─────────────────────────────────────────────────────────────────────────────────────
  "GET /health": get("/health"),
  "GET /ready": get("/ready"),
  "GET /api/v1/health": get(`${A}/health`),
  "GET /api/v1/ready": get(`${A}/ready`),
  "GET /api/v1/config": get(`${A}/config`),
  "GET /openapi.json": get("/openapi.json"),
  "GET /docs": get("/docs"),
  "GET /docs/": get("/docs/"),
  "GET /docs/json": get("/docs/json"),
  "GET /docs/yaml": get("/docs/yaml"),
  "GET /docs/static/index.html": publicRow(302, fixed("/docs/static/index.html")),
  "GET /docs/static/swagger-initializer.js": get("/docs/static/swagger-initializer.js"),
  "GET /docs/*": get("/docs/static/logo.svg"),
  "POST /api/v1/auth/register": publicRow(201, () => ({
    url: `${A}/auth/register`,
    payload: { name: "Matrix", email: uniqueEmail("matrix"), password: "correct-horse-battery" },
  })),
  "POST /api/v1/auth/login": publicRow(200, (w) => ({
    url: `${A}/auth/login`,
    payload: { email: w.customer.email, password: w.customer.password },
  })),

  // ── Operations behind their own token ──────────────────────────────────────────────────────────
  "GET /metrics": { access: { kind: "metrics" }, request: fixed("/metrics") },
  "GET /api/v1/metrics": { access: { kind: "metrics" }, request: fixed(`${A}/metrics`) },

  // ── Daraja's signed URLs ───────────────────────────────────────────────────────────────────────
  "POST /api/v1/payments/mpesa/callback": {
    access: {
      kind: "signed",
      signed: (w) => {
        const tx = w.customer.transactionId;
        const sig = callbackSignature(w.s.t.config.callbackSecret, tx);
        return { url: `${PAY}/callback?tx=${tx}&sig=${sig}`, payload: w.notices.callback };
      },
    },
    request: (w) => ({ url: `${PAY}/callback?tx=${w.customer.transactionId}`, payload: w.notices.callback }),
  },
  "POST /api/v1/payments/mpesa/b2c/result": signedRow("b2c/result", (w) => w.notices.b2cResult, payoutOf),
  "POST /api/v1/payments/mpesa/b2c/timeout": signedRow("b2c/timeout", () => "{}", payoutOf),
  "POST /api/v1/payments/mpesa/reversal/result": signedRow(
    "reversal/result",
    (w) => w.notices.reversalResult,
    refundOf,
  ),
  "POST /api/v1/payments/mpesa/reversal/timeout": signedRow("reversal/timeout", () => "{}", refundOf),
  "POST /api/v1/payments/mpesa/status/result": signedRow(
    "status/result",
    (w) => w.notices.b2cResult,
    payoutOf,
  ),
  "POST /api/v1/payments/mpesa/status/timeout": signedRow("status/timeout", () => "{}", payoutOf),

  // ── Signed in ────────────────────────────────────────────────────────────────────────────────
  //                                  customer    technician  admin   other
  "GET /api/v1/auth/me": session([200, 200, 200, null], fixed(`${A}/auth/me`)),
  "PATCH /api/v1/auth/me": session([200, 200, 200, null], (w, who) => ({
    url: `${A}/auth/me`,
    payload: { phoneNumber: who.userId === w.technician.userId ? w.technician.phone : "0708374149" },
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
  "GET /api/v1/admin/technicians": adminOnly(200, fixed(`${A}/admin/technicians`)),
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
