/**
 * The rows of the authorization matrix for the routes no session opens (authorization-matrix.rows.ts
 * has the others): public routes answer the same whatever the token; Daraja's signed URLs refuse
 * any request whose URL signature is not ours, whatever session comes with it (and accept ours:
 * here, a replay of a notice about settled items); /metrics takes only its own token.
 */
import { callbackSignature, signatureOf } from "../../src/payments/callback-url.ts";
import { uniqueEmail } from "../support/app.ts";
import type { World } from "../support/world.ts";
import type { Answer, Row } from "./authorization-matrix.rows.ts";

const A = "/api/v1";
const PAY = `${A}/payments/mpesa`;
const fixed = (url: string) => () => ({ url });
const publicRow = (answer: Answer, request: Row["request"] = () => ({ url: "" })): Row => ({
  access: { kind: "public", answer },
  request,
});
const get = (url: string): Row => publicRow(200, fixed(url));
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
/** A balance query's notice: its URL signs `balance:<checkId>` and names the check alone. */
function balanceRow(route: string, body: (w: World) => string): Row {
  const url = (w: World, sig: string | null) => {
    const query = new URLSearchParams({ id: w.balanceCheckId, ...(sig === null ? {} : { sig }) });
    return `${PAY}/${route}?${query}`;
  };
  return {
    access: {
      kind: "signed",
      signed: (w) => ({
        url: url(w, signatureOf(w.s.t.config.callbackSecret, `balance:${w.balanceCheckId}`)),
        payload: body(w),
      }),
    },
    request: (w) => ({ url: url(w, null), payload: body(w) }),
  };
}
const payoutOf = (w: World): [string, string] => ["payout", w.technician.payoutId];
const refundOf = (w: World): [string, string] => ["refund", w.customer.refundId];

export const OPEN_ROWS: Record<string, Row> = {
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
  // A replay of an answered query's result or timeout changes nothing (the check is answered once).
  "POST /api/v1/payments/mpesa/balance/result": balanceRow("balance/result", (w) => w.notices.balanceResult),
  "POST /api/v1/payments/mpesa/balance/timeout": balanceRow("balance/timeout", () => "{}"),
};
