/**
 * The table of hostile requests for hostile-input.test.ts: for every route, malformed JSON, wrong
 * types, huge strings, NUL bytes, unknown and oddly shaped ids, missing, invalid and expired tokens,
 * wrong roles, bad paging, filters and dates, wrong content types and wrong methods.
 */
import type { HTTPMethods } from "fastify";
import { callbackSignature, signatureOf } from "../../src/payments/callback-url.ts";
import type { Secret } from "../../src/secret.ts";
import { bearer } from "../support/app.ts";
import { callbackBody } from "../support/payments.ts";
import { forgeToken as forge, unsignedToken } from "../support/tokens.ts";

const PAY = "/api/v1/payments/mpesa";

export interface Case {
  label: string;
  method: HTTPMethods;
  url: string;
  headers?: Record<string, string>;
  payload?: string;
  /** true: the input is bad, so the answer must be an error. false: anything but a 5xx. */
  mustFail: boolean;
}

export interface Actors {
  customer: { token: string; userId: string; bookingId: string; transactionId: string };
  other: { token: string; bookingId: string; transactionId: string };
  technician: string;
  admin: string;
}

export interface HostileContext {
  jwtSecret: string;
  callbackSecret: Secret;
  metricsToken: string;
  actors: Actors;
}

let ctx: HostileContext;

// ── Tokens ───────────────────────────────────────────────────────────────────────────────────────

/** Authorization headers that must all be refused with 401. */
function badAuthorizations(): Array<[string, Record<string, string>]> {
  const secret = ctx.jwtSecret;
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: ctx.actors.customer.userId, role: "customer", email: "c@example.com" };
  return [
    ["no token", {}],
    ["empty Bearer", { authorization: "Bearer" }],
    ["Bearer and spaces", { authorization: "Bearer    " }],
    ["Basic auth", { authorization: "Basic dXNlcjpwYXNz" }],
    ["garbage", { authorization: "Bearer garbage" }],
    ["three empty parts", { authorization: "Bearer .." }],
    ["not base64", { authorization: "Bearer %%%.%%%.%%%" }],
    ["huge", { authorization: `Bearer ${"x".repeat(8_000)}` }],
    ["expired", bearer(forge({ ...claims, iat: now - 7200, exp: now - 3600 }, secret))],
    ["not yet valid", bearer(forge({ ...claims, iat: now, nbf: now + 3600, exp: now + 7200 }, secret))],
    ["another secret", bearer(forge({ ...claims, iat: now, exp: now + 3600 }, "not-the-secret"))],
    ["alg none", bearer(unsignedToken({ ...claims, exp: now + 3600 }))],
    ["HS512", bearer(forge({ ...claims, iat: now, exp: now + 3600 }, secret, { alg: "HS512" }))],
    ["unknown role", bearer(forge({ ...claims, role: "root", iat: now, exp: now + 3600 }, secret))],
    ["no subject", bearer(forge({ role: "customer", email: "c@x.io", iat: now, exp: now + 3600 }, secret))],
    ["subject not a string", bearer(forge({ ...claims, sub: 42, iat: now, exp: now + 3600 }, secret))],
  ];
}

/** A well-signed token for an account that does not exist (deleted, or a database reset). */
function ghostToken(role: "customer" | "technician" | "admin"): string {
  const now = Math.floor(Date.now() / 1000);
  return forge(
    { sub: `usr_ghost_${role}`, role, email: `${role}@ghost.example`, iat: now, exp: now + 3600 },
    ctx.jwtSecret,
  );
}

// ── Routes ───────────────────────────────────────────────────────────────────────────────────────

type Role = "customer" | "technician" | "admin";
const ALL_ROLES: readonly Role[] = ["customer", "technician", "admin"];

interface AuthedRoute {
  method: HTTPMethods;
  url: string;
  roles: readonly Role[];
  body?: Record<string, unknown>;
}

function authedRoutes(): AuthedRoute[] {
  return [
    { method: "GET", url: "/api/v1/auth/me", roles: ALL_ROLES },
    { method: "PATCH", url: "/api/v1/auth/me", roles: ALL_ROLES, body: { phoneNumber: "0708374149" } },
    { method: "POST", url: "/api/v1/bookings", roles: ["customer"], body: { service: "Plumbing" } },
    { method: "GET", url: "/api/v1/bookings", roles: ALL_ROLES },
    { method: "GET", url: `/api/v1/bookings/${ctx.actors.customer.bookingId}`, roles: ALL_ROLES },
    {
      method: "POST",
      url: `${PAY}/stkpush`,
      roles: ["customer"],
      body: { phoneNumber: "0708374149", bookingId: ctx.actors.customer.bookingId, type: "booking_fee" },
    },
    { method: "GET", url: `${PAY}/status/${ctx.actors.customer.transactionId}`, roles: ALL_ROLES },
    { method: "GET", url: `${PAY}/status/${ctx.actors.customer.transactionId}/events`, roles: ALL_ROLES },
    { method: "GET", url: `${PAY}/history`, roles: ALL_ROLES },
    { method: "GET", url: "/api/v1/admin/reports/payments", roles: ["admin"] },
    { method: "GET", url: "/api/v1/admin/reports/money-out", roles: ["admin"] },
    { method: "GET", url: "/api/v1/admin/technicians", roles: ["admin"] },
    // Escrow out, aimed at a booking nobody here may change (the other customer's, unpaid).
    { method: "GET", url: "/api/v1/payouts", roles: ["technician", "admin"] },
    { method: "GET", url: "/api/v1/payouts/pyt_nope", roles: ALL_ROLES },
    { method: "GET", url: "/api/v1/refunds", roles: ["customer", "admin"] },
    { method: "GET", url: "/api/v1/refunds/rfd_nope", roles: ALL_ROLES },
    { method: "POST", url: `/api/v1/bookings/${ctx.actors.other.bookingId}/accept`, roles: ["technician"] },
    {
      method: "POST",
      url: `/api/v1/bookings/${ctx.actors.other.bookingId}/complete`,
      roles: ["technician", "admin"],
    },
    {
      method: "POST",
      url: `/api/v1/bookings/${ctx.actors.other.bookingId}/cancel`,
      roles: ["customer", "admin"],
      body: { reason: "Changed my mind" },
    },
    {
      method: "POST",
      url: `/api/v1/admin/bookings/${ctx.actors.other.bookingId}/assign`,
      roles: ["admin"],
      body: { technicianId: "usr_nope" },
    },
    { method: "POST", url: "/api/v1/admin/payouts/pyt_nope/approve", roles: ["admin"] },
    // The review queue and its decisions, aimed at items nobody has.
    { method: "GET", url: "/api/v1/admin/review", roles: ["admin"] },
    {
      method: "POST",
      url: "/api/v1/admin/transactions/pay_nope/resolve",
      roles: ["admin"],
      body: { action: "refund", note: "x" },
    },
    ...(["payouts/pyt_nope", "refunds/rfd_nope"] as const).flatMap((item): AuthedRoute[] => [
      { method: "POST", url: `/api/v1/admin/${item}/retry`, roles: ["admin"], body: { note: "x" } },
      {
        method: "POST",
        url: `/api/v1/admin/${item}/resolve`,
        roles: ["admin"],
        body: { outcome: "failed", note: "x" },
      },
    ]),
  ];
}

function tokenOf(role: Role): string {
  switch (role) {
    case "customer":
      return ctx.actors.customer.token;
    case "technician":
      return ctx.actors.technician;
    case "admin":
      return ctx.actors.admin;
    default: {
      const _exhaustive: never = role;
      return _exhaustive;
    }
  }
}

const json = { "content-type": "application/json" };

/** Bodies no JSON route may accept. */
const MALFORMED_BODIES: Array<[string, string]> = [
  ["truncated", "{"],
  ["not JSON", "{not json"],
  ["empty", ""],
  ["array", "[]"],
  ["null", "null"],
  ["string", '"x"'],
  ["number", "42"],
  ["infinite number", "1e999"],
  ["boolean", "true"],
  ["NUL", "\u0000"],
  ["proto pollution", '{"__proto__":{"role":"admin"}}'],
  ["constructor pollution", '{"constructor":{"prototype":{"role":"admin"}}}'],
  ["byte order mark", "\uFEFF{}"],
  ["deep nesting", `${"[".repeat(20_000)}${"]".repeat(20_000)}`],
  ["over the size limit", JSON.stringify({ filler: "x".repeat(70_000) })],
  ["trailing garbage", '{"a":1}xyz'],
  ["lone surrogate", '{"name":"\\ud800"}'],
];

/** Values to put in place of each field of a valid body. */
const FIELD_VALUES: Array<[string, unknown]> = [
  ["number", 42],
  ["negative", -1],
  ["float", 1.5],
  ["huge number", 1e308],
  ["boolean", true],
  ["null", null],
  ["array", ["x"]],
  ["object", { $gt: "" }],
  ["empty", ""],
  ["blank", "   "],
  ["huge string", "x".repeat(10_000)],
  ["NUL inside", "a\u0000b"],
  ["emoji", "😀".repeat(40)],
  ["SQL", "' OR '1'='1' --"],
  ["markup", "<script>alert(1)</script>"],
  ["unicode digits", "٠٧٠٨٣٧٤١٤٩"],
];

const WRONG_CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/jsonx",
  "application/json; charset=utf-16",
];

/** Ids that name nothing a caller may see, in every odd shape. */
const ODD_IDS = [
  "nope",
  "bkg_nope",
  "pay_nope",
  "%00",
  "a%00b",
  "x".repeat(500),
  "..%2F..%2Fetc%2Fpasswd",
  "%2E%2E",
  "%ZZ",
  "%F0%9F%98%80",
  "'%20OR%20'1'%3D'1",
  "%20",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "-1",
  "1e999",
];

function bodyCases(method: HTTPMethods, url: string, valid: Record<string, unknown>, headers = {}): Case[] {
  const cases: Case[] = [];
  for (const [label, payload] of MALFORMED_BODIES)
    cases.push({
      label: `body ${label}`,
      method,
      url,
      headers: { ...json, ...headers },
      payload,
      mustFail: true,
    });
  for (const field of Object.keys(valid)) {
    for (const [label, value] of FIELD_VALUES)
      cases.push({
        label: `${field} ${label}`,
        method,
        url,
        headers: { ...json, ...headers },
        payload: JSON.stringify({ ...valid, [field]: value }),
        mustFail: false,
      });
    const { [field]: _dropped, ...rest } = valid;
    cases.push({
      label: `${field} missing`,
      method,
      url,
      headers: { ...json, ...headers },
      payload: JSON.stringify(rest),
      mustFail: false,
    });
  }
  for (const type of WRONG_CONTENT_TYPES)
    cases.push({
      label: `content-type ${type}`,
      method,
      url,
      headers: { ...headers, "content-type": type },
      payload: "service=Plumbing&email=a%40b.c",
      mustFail: true,
    });
  cases.push({
    label: "no content-type",
    method,
    url,
    headers,
    payload: JSON.stringify(valid),
    mustFail: false,
  });
  return cases;
}

const PAGING_BAD = ["-1", "0", "1.5", "abc", "NaN", "Infinity", "99999999999999999999", "%00", "1;DROP"];
const PAGING_ODD = ["", "%201", "1e3", "0x10", "01"];

function pagingCases(url: string, token: string, extra: Record<string, string[]>): Case[] {
  const cases: Case[] = [];
  const get = (query: string, mustFail: boolean): Case => ({
    label: query,
    method: "GET",
    url: `${url}?${query}`,
    headers: bearer(token),
    mustFail,
  });
  for (const name of ["page", "limit"]) {
    for (const value of PAGING_BAD) cases.push(get(`${name}=${value}`, true));
    for (const value of PAGING_ODD) cases.push(get(`${name}=${value}`, false));
    cases.push(get(`${name}=1&${name}=2`, false));
  }
  cases.push(get("limit=101", true));
  for (const [name, values] of Object.entries(extra))
    for (const value of values) cases.push(get(`${name}=${value}`, value !== ""));
  cases.push(get("unknown=1&page=1", false));
  return cases;
}

/** Every hostile request, for the routes and people in `context`. */
export function hostileCases(context: HostileContext): Case[] {
  ctx = context;
  const cases: Case[] = [];
  const c = ctx.actors.customer;

  // Missing, invalid and expired tokens on every authenticated route; wrong roles; ghosts.
  for (const route of authedRoutes()) {
    const payload = route.body ? JSON.stringify(route.body) : undefined;
    const base = { method: route.method, url: route.url, ...(payload ? { payload } : {}) };
    for (const [label, headers] of badAuthorizations())
      cases.push({ ...base, label: `token: ${label}`, headers: { ...json, ...headers }, mustFail: true });
    for (const role of ALL_ROLES) {
      if (!route.roles.includes(role))
        cases.push({
          ...base,
          label: `role ${role}`,
          headers: { ...json, ...bearer(tokenOf(role)) },
          mustFail: true,
        });
      cases.push({
        ...base,
        label: `ghost ${role}`,
        headers: { ...json, ...bearer(ghostToken(role)) },
        mustFail: false,
      });
    }
  }
  // EventSource sends its token in the query.
  for (const [label, headers] of badAuthorizations()) {
    const token = headers.authorization?.replace(/^Bearer\s*/, "") ?? "";
    cases.push({
      label: `query token: ${label}`,
      method: "GET",
      url: `${PAY}/status/${c.transactionId}/events?access_token=${encodeURIComponent(token)}`,
      mustFail: true,
    });
  }
  cases.push({
    label: "query token too long",
    method: "GET",
    url: `${PAY}/status/${c.transactionId}/events?access_token=${"x".repeat(5_000)}`,
    mustFail: true,
  });

  // Bodies.
  cases.push(
    ...bodyCases("POST", "/api/v1/auth/register", {
      name: "Wanjiku",
      email: "hostile@example.com",
      password: "correct-horse",
      phoneNumber: "0712345678",
      role: "customer",
    }),
  );
  cases.push(...bodyCases("POST", "/api/v1/auth/login", { email: "hostile@example.com", password: "x" }));
  cases.push(...bodyCases("PATCH", "/api/v1/auth/me", { phoneNumber: "0708374149" }, bearer(c.token)));
  cases.push(
    ...bodyCases(
      "POST",
      "/api/v1/bookings",
      {
        service: "Plumbing",
        description: "Leak",
        location: "Kilimani",
        scheduledFor: "2026-02-01T10:00:00Z",
      },
      bearer(c.token),
    ),
  );
  // The customer's fee is already paid: whatever gets through validation answers, pushing nothing.
  cases.push(
    ...bodyCases(
      "POST",
      `${PAY}/stkpush`,
      { phoneNumber: "0708374149", bookingId: c.bookingId, amount: 500, type: "booking_fee" },
      bearer(c.token),
    ),
  );
  for (const bookingId of [ctx.actors.other.bookingId, ...ODD_IDS.map(decodeURIComponentSafe)])
    cases.push({
      label: `stkpush for booking ${bookingId.slice(0, 20)}`,
      method: "POST",
      url: `${PAY}/stkpush`,
      headers: { ...json, ...bearer(c.token) },
      payload: JSON.stringify({ phoneNumber: "0708374149", bookingId, type: "booking_fee" }),
      mustFail: true,
    });
  for (const key of ["", " ", "k".repeat(256), "🔑", "a\tb", "same, twice"])
    cases.push({
      label: `Idempotency-Key ${JSON.stringify(key.slice(0, 10))}`,
      method: "POST",
      url: `${PAY}/stkpush`,
      headers: { ...json, ...bearer(c.token), "idempotency-key": key },
      payload: JSON.stringify({ phoneNumber: "0708374149", bookingId: c.bookingId, type: "booking_fee" }),
      mustFail: true,
    });

  // Escrow out: bodies for the other customer's booking, which nobody here may change.
  const otherBooking = ctx.actors.other.bookingId;
  cases.push(
    ...bodyCases(
      "POST",
      `/api/v1/bookings/${otherBooking}/cancel`,
      { reason: "Changed my mind" },
      bearer(c.token),
    ),
  );
  cases.push(
    ...bodyCases(
      "POST",
      `/api/v1/admin/bookings/${otherBooking}/assign`,
      { technicianId: "usr_nope" },
      bearer(ctx.actors.admin),
    ),
  );
  for (const id of ODD_IDS) {
    const life: Array<[string, string, string | undefined]> = [
      [`/api/v1/bookings/${id}/accept`, ctx.actors.technician, undefined],
      [`/api/v1/bookings/${id}/complete`, ctx.actors.admin, undefined],
      [`/api/v1/bookings/${id}/cancel`, c.token, JSON.stringify({ reason: "x" })],
      [`/api/v1/admin/bookings/${id}/assign`, ctx.actors.admin, JSON.stringify({ technicianId: "usr_nope" })],
      [`/api/v1/admin/payouts/${id}/approve`, ctx.actors.admin, undefined],
      [
        `/api/v1/admin/transactions/${id}/resolve`,
        ctx.actors.admin,
        JSON.stringify({ action: "refund", note: "x" }),
      ],
      [`/api/v1/admin/payouts/${id}/retry`, ctx.actors.admin, JSON.stringify({ note: "x" })],
      [
        `/api/v1/admin/refunds/${id}/resolve`,
        ctx.actors.admin,
        JSON.stringify({ outcome: "failed", note: "x" }),
      ],
    ];
    for (const [url, token, payload] of life)
      cases.push({
        label: `id ${id.slice(0, 20)}`,
        method: "POST",
        url,
        headers: { ...(payload ? json : {}), ...bearer(token) },
        ...(payload ? { payload } : {}),
        mustFail: true,
      });
  }

  // The callback: signed for a real transaction, so only the body is wrong.
  const sig = (tx: string) => callbackSignature(ctx.callbackSecret, tx);
  const signed = `${PAY}/callback?tx=${c.transactionId}&sig=${sig(c.transactionId)}`;
  const row = { checkoutRequestId: "ws_CO_hostile", merchantRequestId: "hostile" };
  const callbackCases = bodyCases("POST", signed, JSON.parse(callbackBody(row)) as Record<string, unknown>);
  cases.push(...callbackCases.map((x) => ({ ...x, mustFail: true })));
  // Escaped NUL (valid JSON) in the fields a callback is filed and matched under, signed or not.
  const fine = JSON.parse(callbackBody(row)) as { Body: { stkCallback: Record<string, unknown> } };
  for (const field of ["MerchantRequestID", "CheckoutRequestID", "ResultDesc", "ResultCode"])
    for (const url of [signed, `${PAY}/callback?tx=${c.transactionId}`])
      cases.push({
        label: `callback ${field} with NUL`,
        method: "POST",
        url,
        headers: json,
        payload: JSON.stringify({ Body: { stkCallback: { ...fine.Body.stkCallback, [field]: "x\u0000" } } }),
        mustFail: true,
      });
  for (const query of [
    "",
    "tx=",
    `tx=${c.transactionId}`,
    `tx=${c.transactionId}&sig=`,
    `tx=${c.transactionId}&sig=${"A".repeat(300)}`,
    `tx=${"p".repeat(300)}&sig=x`,
    `tx=pay_nope&sig=${sig("pay_nope")}`,
    `tx=${c.transactionId}&tx=${ctx.actors.other.transactionId}&sig=${sig(c.transactionId)}`,
    `tx=${c.transactionId}%00&sig=${sig(c.transactionId)}`,
    `tx=${ctx.actors.other.transactionId}&sig=${sig(c.transactionId)}`,
    `tx=${c.transactionId}&sig=${sig(c.transactionId)}%00`,
  ])
    cases.push({
      label: `callback ?${query.slice(0, 40)}`,
      method: "POST",
      url: `${PAY}/callback?${query}`,
      headers: json,
      payload: callbackBody(row),
      mustFail: true,
    });

  // Daraja's payout notices: signed for items nobody has (so only the body is wrong), or unsigned,
  // forged, signed for another item. None of them may move anything.
  const notice = {
    Result: {
      ResultType: 0,
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      OriginatorConversationID: "pyt_nope-1",
      ConversationID: "AG_20260115_0000000000000000beef",
      TransactionID: "UAF0000000",
    },
  };
  const itemSig = (item: string) => signatureOf(ctx.callbackSecret, item);
  for (const [route, kind, id] of [
    ["b2c/result", "payout", "pyt_nope"],
    ["reversal/result", "refund", "rfd_nope"],
    ["status/result", "payout", "pyt_nope"],
  ] as const)
    cases.push(
      ...bodyCases("POST", `${PAY}/${route}?kind=${kind}&id=${id}&sig=${itemSig(`${kind}:${id}`)}`, notice),
    );
  for (const route of [
    "b2c/result",
    "b2c/timeout",
    "reversal/result",
    "reversal/timeout",
    "status/result",
    "status/timeout",
  ])
    for (const query of [
      "",
      "kind=payout",
      "kind=payout&id=pyt_nope",
      "kind=payout&id=pyt_nope&sig=",
      `kind=payout&id=pyt_nope&sig=${"A".repeat(300)}`,
      `kind=refund&id=pyt_nope&sig=${itemSig("payout:pyt_nope")}`,
      `kind=booking&id=pyt_nope&sig=${itemSig("booking:pyt_nope")}`,
      `kind=payout&id=${"p".repeat(300)}&sig=x`,
      `kind=payout&id=pyt_nope%00&sig=${itemSig("payout:pyt_nope")}`,
      `kind=payout&id=pyt_nope&sig=${itemSig("pyt_nope")}`,
    ])
      cases.push({
        label: `${route} ?${query.slice(0, 40)}`,
        method: "POST",
        url: `${PAY}/${route}?${query}`,
        headers: json,
        payload: JSON.stringify(notice),
        mustFail: true,
      });

  // Ids: unknown, someone else's, oddly shaped.
  for (const id of [...ODD_IDS, ctx.actors.other.bookingId, ctx.actors.other.transactionId]) {
    for (const url of [
      `/api/v1/bookings/${id}`,
      `${PAY}/status/${id}`,
      `${PAY}/status/${id}/events`,
      `/api/v1/payouts/${id}`,
      `/api/v1/refunds/${id}`,
    ])
      cases.push({
        label: `id ${id.slice(0, 20)}`,
        method: "GET",
        url,
        headers: bearer(c.token),
        mustFail: true,
      });
  }

  // Paging and filters.
  cases.push(
    ...pagingCases("/api/v1/bookings", c.token, {
      status: ["paid", "PENDING_PAYMENT", "matching,assigned", "%00", ""],
      customerId: ["x".repeat(100), "%00"],
    }),
  );
  cases.push(
    ...pagingCases("/api/v1/payouts", ctx.actors.admin, {
      status: ["paid", "QUEUED", "queued,failed", "%00", ""],
    }),
  );
  cases.push(...pagingCases("/api/v1/refunds", c.token, { status: ["refunded", "%00", ""] }));
  cases.push(...pagingCases("/api/v1/admin/technicians", ctx.actors.admin, {}));
  cases.push(
    ...pagingCases(`${PAY}/history`, c.token, {
      status: ["paid", "COMPLETED", "completed,failed", "%00", ""],
      userId: ["x".repeat(101), "%00"],
    }),
  );
  cases.push(
    ...pagingCases(`${PAY}/history`, ctx.actors.admin, {
      status: ["needs-review", "%00"],
      userId: ["x".repeat(101), "%00"],
    }),
  );

  // Report dates.
  for (const [query, mustFail] of [
    ["from=yesterday", true],
    ["from=2026-13-01", true],
    ["from=2026-01-32", true],
    ["from=2026-02-30", false],
    ["from=2026-01-01T25:00:00Z", true],
    ["from=2026-01-01T00:00:00%2B99:99", true],
    ["from=0000-01-01", true],
    ["from=9999-12-31", true],
    ["to=-001-01-01", true],
    ["from=1e999", true],
    ["from=%00", true],
    [`from=${"2".repeat(41)}`, true],
    ["from=2026-02-01&to=2026-01-01", true],
    ["from=2024-01-01&to=2026-01-01", true],
    ["from=2026-01-01&from=2026-01-02", false],
    ["from=&to=", false],
    ["from=2026-01-01T00:00:00.123456789Z", false],
  ] as const)
    for (const report of ["payments", "money-out"])
      cases.push({
        label: `report ${query}`,
        method: "GET",
        url: `/api/v1/admin/reports/${report}?${query}`,
        headers: bearer(ctx.actors.admin),
        mustFail,
      });

  // Operations routes, with and without the metrics token; junk queries.
  for (const prefix of ["", "/api/v1"]) {
    for (const path of ["/health", "/ready", "/metrics"]) {
      const headers = path === "/metrics" ? bearer(ctx.metricsToken) : {};
      cases.push({
        label: "junk query",
        method: "GET",
        url: `${prefix}${path}?x=1&y[]=2`,
        headers,
        mustFail: false,
      });
      cases.push({
        label: "NUL query",
        method: "GET",
        url: `${prefix}${path}?x=%00`,
        headers,
        mustFail: true,
      });
    }
    for (const [label, headers] of badAuthorizations()
      .filter(([l]) => l !== "no token")
      .concat([["none", {}]]))
      cases.push({
        label: `metrics ${label}`,
        method: "GET",
        url: `${prefix}/metrics`,
        headers,
        mustFail: true,
      });
  }
  for (const url of ["/api/v1/config?x=%00", "/openapi.json?x=%00"])
    cases.push({ label: "NUL query", method: "GET", url, mustFail: true });
  for (const url of [
    "/api/v1/config?x=1",
    "/openapi.json?x=1",
    "/docs?x=1",
    "/docs/..%2F..%2Fpackage.json",
    "/docs/%00",
  ])
    cases.push({ label: "odd", method: "GET", url, mustFail: false });

  // Wrong methods on every route; HEAD where GET exists.
  const everyUrl = [
    "/api/v1/auth/register",
    "/api/v1/auth/login",
    "/api/v1/auth/me",
    "/api/v1/bookings",
    `/api/v1/bookings/${c.bookingId}`,
    `${PAY}/stkpush`,
    `${PAY}/callback`,
    `${PAY}/status/${c.transactionId}`,
    `${PAY}/status/${c.transactionId}/events`,
    `${PAY}/history`,
    "/api/v1/admin/reports/payments",
    "/api/v1/admin/reports/money-out",
    "/api/v1/admin/technicians",
    "/api/v1/payouts",
    "/api/v1/payouts/pyt_nope",
    "/api/v1/refunds",
    "/api/v1/refunds/rfd_nope",
    `/api/v1/bookings/${c.bookingId}/accept`,
    `/api/v1/bookings/${c.bookingId}/complete`,
    `/api/v1/bookings/${c.bookingId}/cancel`,
    `/api/v1/admin/bookings/${c.bookingId}/assign`,
    "/api/v1/admin/payouts/pyt_nope/approve",
    "/api/v1/admin/review",
    "/api/v1/admin/transactions/pay_nope/resolve",
    "/api/v1/admin/payouts/pyt_nope/retry",
    "/api/v1/admin/refunds/rfd_nope/resolve",
    `${PAY}/b2c/result`,
    `${PAY}/reversal/timeout`,
    `${PAY}/status/result`,
    "/api/v1/config",
    "/health",
    "/ready",
    "/metrics",
  ];
  const postOnly =
    /register|login|stkpush|callback|accept|complete|cancel|assign|approve|retry|resolve|\/(result|timeout)$/;
  const hasGet = new Set(everyUrl.filter((u) => !postOnly.test(u)));
  const hasPost = new Set([
    "/api/v1/auth/register",
    "/api/v1/auth/login",
    "/api/v1/bookings",
    `${PAY}/stkpush`,
    `${PAY}/callback`,
    ...everyUrl.filter((u) =>
      /accept|complete|cancel|assign|approve|retry|resolve|\/(result|timeout)$/.test(u),
    ),
  ]);
  for (const url of everyUrl) {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      if ((method === "GET" && hasGet.has(url)) || (method === "POST" && hasPost.has(url))) continue;
      if (method === "PATCH" && url === "/api/v1/auth/me") continue;
      cases.push({
        label: "wrong method",
        method,
        url,
        headers: { ...json, ...bearer(tokenOf("admin")) },
        payload: "{}",
        mustFail: true,
      });
    }
    if (hasGet.has(url))
      cases.push({ label: "HEAD", method: "HEAD", url, headers: bearer(c.token), mustFail: false });
  }
  return cases;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
