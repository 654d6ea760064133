/**
 * One fuzzed request of a route (hostile-fuzz.test.ts), as a fast-check arbitrary built around the
 * route's valid request (its authorization-matrix row): path segments, query and body made
 * hostile, every kind of token, content type and a few odd headers.
 */
import fc from "fast-check";
import { callbackSignature, signatureOf } from "../../src/payments/callback-url.ts";
import type { AppRoute, Operation } from "../support/routes.ts";
import { forgeToken, unsignedToken, withAlteredSignature } from "../support/tokens.ts";
import type { World } from "../support/world.ts";
import type { Row } from "./authorization-matrix.rows.ts";
import { type FuzzBody, fuzzBody } from "./hostile-fuzz.bodies.ts";
import { contentType, fuzzQuery, fuzzSegment, headerText } from "./hostile-fuzz.values.ts";

export interface FuzzRequest {
  url: string;
  auth: { label: string; header: string | null; valid: boolean };
  body: FuzzBody;
  contentType: string | null;
  extra: Record<string, string>;
}

/** The row's own caller: the first role its row lets past the role check. */
function ownToken(w: World, row: Row): string | null {
  const access = row.access;
  if (access.kind === "metrics") return w.metricsToken;
  if (access.kind !== "session") return null;
  const people = [w.customer, w.technician, w.admin];
  const index = access.as.findIndex((cell, i) => i < 3 && cell !== null && !String(cell).startsWith("403"));
  return people[index]?.token ?? null;
}

/** Whether the role at `index` (customer, technician, admin) gets past the row's role check. */
function passesRoleCheck(row: Row, index: number): boolean {
  const access = row.access;
  if (access.kind === "session") return !String(access.as[index]).startsWith("403");
  return access.kind !== "metrics";
}

function authorizations(w: World, row: Row) {
  const secret = w.s.t.config.jwtSecret.reveal();
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: w.admin.userId, role: "admin", email: "a@example.com", iat: now, exp: now + 3600 };
  const own = ownToken(w, row);
  const refused = [
    forgeToken({ ...claims, exp: now - 60 }, secret),
    withAlteredSignature(w.admin.token),
    unsignedToken(claims),
    forgeToken(claims, secret, { alg: "HS512" }),
  ];
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constant({ label: "own token", header: own && `Bearer ${own}`, valid: true }),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(0, 1, 2).map((i) => ({
        label: "a role's token",
        header: `Bearer ${[w.customer, w.technician, w.admin][i]?.token}`,
        valid: passesRoleCheck(row, i),
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...refused, null)
        .map((t) => ({ label: "refused token", header: t && `Bearer ${t}`, valid: own === null })),
    },
    {
      weight: 1,
      arbitrary: headerText.map((t) => ({
        label: "hostile header",
        header: `Bearer ${t}`,
        valid: own === null,
      })),
    },
  );
}

/** Ids and signatures of the world (never the unpaid booking: paying it would be a real payment). */
function knownValues(w: World): string[] {
  const secret = w.s.t.config.callbackSecret;
  const c = w.customer;
  const ids = [c.bookingId, c.refundedBookingId, c.transactionId, c.refundedTransactionId, c.refundId];
  return [
    ...ids,
    w.otherCustomer.cancelledUnpaidBookingId,
    w.technician.payoutId,
    w.endpointId,
    w.deliveryId,
    w.otherTechnician.userId,
    "payout",
    "refund",
    callbackSignature(secret, c.refundedTransactionId),
    signatureOf(secret, `refund:${c.refundId}`),
    signatureOf(secret, `payout:${w.technician.payoutId}`),
  ];
}

export function requestFor(
  w: World,
  route: AppRoute,
  row: Row,
  op: Operation | undefined,
): fc.Arbitrary<FuzzRequest> {
  const own = ownToken(w, row);
  const who = { column: "own", token: own, userId: w.customer.userId, phones: [] };
  const base = row.access.kind === "signed" ? row.access.signed(w) : row.request(w, who);
  const [path = "", search = ""] = base.url.split("?");
  const known = knownValues(w);
  const pattern = route.path.split("/");
  const given = path.split("/");
  const segments = pattern.map((part, i) => {
    if (part === "*") return fuzzSegment(given.slice(i).join("/"), ["../../package.json", "static/../../x"]);
    return part.startsWith(":") ? fuzzSegment(given[i] ?? "", known) : fc.constant(given[i] ?? part);
  });
  const queryNames = (op?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
  const withBody = base.payload !== undefined || op?.body != null;
  const body = withBody
    ? fuzzBody(base.payload ?? {})
    : fc.oneof(
        {
          weight: 5,
          arbitrary: fc.constant<FuzzBody>({ label: "no body", payload: undefined, notJson: false }),
        },
        { weight: 1, arbitrary: fuzzBody({}) },
      );
  return fc
    .record({
      segments: fc.tuple(...segments),
      query: fuzzQuery(new URLSearchParams(search), queryNames, known),
      auth: authorizations(w, row),
      body,
      contentType,
      extra: fc.dictionary(
        fc.constantFrom("idempotency-key", "x-forwarded-for", "accept", "content-encoding", "origin"),
        headerText,
        { maxKeys: 2 },
      ),
    })
    .map(({ segments: parts, query, auth, body: b, contentType: type, extra }) => {
      const q = query.query.toString();
      return {
        url: `${parts.join("/")}${q ? `?${q}` : ""}`,
        auth,
        body: b,
        contentType: b.payload === undefined ? null : type,
        extra,
      };
    });
}

/** Whether the query still carries our signature for what it names (Daraja's routes). */
export function stillSigned(w: World, route: AppRoute, url: string): boolean {
  const q = new URLSearchParams(url.split("?")[1] ?? "");
  const one = (k: string) => (q.getAll(k).length === 1 ? (q.get(k) ?? "") : null);
  const secret = w.s.t.config.callbackSecret;
  const [tx, kind, id, sig] = [one("tx"), one("kind"), one("id"), one("sig")];
  if (sig === null) return false;
  if (route.path.endsWith("/callback")) return tx !== null && callbackSignature(secret, tx) === sig;
  // An Account Balance query's URLs sign `balance:<checkId>` and name the check alone.
  if (route.path.includes("/balance/")) return id !== null && signatureOf(secret, `balance:${id}`) === sig;
  return kind !== null && id !== null && signatureOf(secret, `${kind}:${id}`) === sig;
}
