/**
 * Who may do what, as one table: every route of the app (read from the app, so a new route without
 * a row fails) × every kind of caller — no token, an expired one, a real one with its signature or
 * its claims altered, unsigned (`alg: none`), signed with another algorithm or secret; a customer,
 * a technician, an admin; another person of the owner's role on the owner's resources — and the
 * answer each must get. Rows: authorization-matrix.rows.ts. A failure lists every cell that broke.
 * No answer to a signed-in caller shows anyone else's full phone number (api.md: masked to all but
 * the owner; the technicians list for admins is the one marked exception). Nothing any cell does
 * may move money.
 */
import type { HTTPMethods } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { envelopeProblem, errorCodeOf } from "../support/envelope.ts";
import { appRoutes, documentedOperations, tableProblems } from "../support/routes.ts";
import { forgeToken, unsignedToken, withAlteredClaims, withAlteredSignature } from "../support/tokens.ts";
import { moneyState, startWorld, type World } from "../support/world.ts";
import { type Answer, type Cell, ROWS, type Row, type Who } from "./authorization-matrix.rows.ts";

let w: World;

beforeAll(async () => {
  w = await startWorld();
}, 120_000);
afterAll(async () => {
  await w?.s.close();
});

/** The session tokens that must be refused on every signed-in route, by column. */
function refusedTokens(): Array<[string, string | null]> {
  const secret = w.s.t.config.jwtSecret.reveal();
  const now = Math.floor(Date.now() / 1000);
  const admin = { sub: w.admin.userId, role: "admin", email: "admin@example.com", iat: now, exp: now + 3600 };
  return [
    ["no token", null],
    ["expired", forgeToken({ ...admin, iat: now - 7200, exp: now - 3600 }, secret)],
    ["signature altered", withAlteredSignature(w.admin.token)],
    ["role altered", withAlteredClaims(w.customer.token, { role: "admin", sub: w.admin.userId })],
    ["alg none", unsignedToken(admin)],
    ["HS512", forgeToken(admin, secret, { alg: "HS512" })],
    ["another secret", forgeToken(admin, "not-our-jwt-secret-0123456789abcdef")],
  ];
}

const ROLE_COLUMNS = ["customer", "technician", "admin", "other"] as const;

/** The caller of a role column, with their own numbers (the admin's is set by PATCH /auth/me). */
function whoIs(column: (typeof ROLE_COLUMNS)[number], row: Row): Who {
  const otherTechnician = row.access.kind === "session" && row.access.other === "technician";
  const people = {
    customer: { ...w.customer, phones: [CUSTOMER_PHONE] },
    technician: { ...w.technician, phones: [w.technician.phone] },
    admin: { ...w.admin, phones: [ADMIN_PHONE] },
    other: otherTechnician
      ? { ...w.otherTechnician, phones: [w.otherTechnician.phone] }
      : { ...w.otherCustomer, phones: [] },
  };
  const person = people[column];
  return { column, token: person.token, userId: person.userId, phones: person.phones };
}

const CUSTOMER_PHONE = "254708374149";
const ADMIN_PHONE = "254711000999";
const MSISDN = /(?<!\d)254[17]\d{8}(?!\d)/g;

let address = 0;
/** One cell: what answered, or what is wrong with it. */
async function ask(
  method: string,
  request: { url: string; payload?: Record<string, unknown> | string },
  token: string | null,
  want: Answer,
  hides: string[] = [],
  phones: string[] | null = null,
): Promise<string | null> {
  address += 1;
  const res = await w.s.t.app.inject({
    method: method as HTTPMethods,
    url: request.url,
    // Each cell from its own address: the per-address limits on unsigned notices have their own tests.
    remoteAddress: `10.77.${Math.floor(address / 250)}.${(address % 250) + 1}`,
    headers: {
      ...(token === null ? {} : bearer(token)),
      ...(request.payload === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  const [status, code] = String(want).split(" ");
  const got = `${res.statusCode}${res.statusCode >= 400 ? ` ${errorCodeOf(res) ?? "(no code)"}` : ""}`;
  if (res.statusCode !== Number(status) || (code !== undefined && errorCodeOf(res) !== code))
    return `answered ${got}, not ${want}`;
  if (res.statusCode >= 400) return envelopeProblem(res);
  const leaked = hides.filter((id) => res.body.includes(id));
  if (leaked.length > 0) return `answered ${got} showing ${leaked.join(", ")}`;
  const unmasked = phones === null ? [] : (res.body.match(MSISDN) ?? []).filter((n) => !phones.includes(n));
  return unmasked.length > 0 ? `answered ${got} showing another person's number ${unmasked[0]}` : null;
}

describe("the authorization matrix", () => {
  it("has a row for every route of the app, and every documented route is a route", async () => {
    const routes = appRoutes(w.s.t.app);
    expect(tableProblems(routes, Object.keys(ROWS))).toEqual([]);
    const keys = new Set(routes.map((r) => r.key as string));
    const documented = [...(await documentedOperations(w.s.t.app)).keys()];
    expect(documented.filter((k) => !keys.has(k))).toEqual([]);
  });

  it("every route answers every caller as its row says, and no cell moves money", async () => {
    const before = await moneyState(w);
    const problems: string[] = [];
    let cells = 0;
    const check = async (key: string, column: string, run: () => Promise<string | null>) => {
      cells += 1;
      const problem = await run();
      if (problem) problems.push(`${key} [${column}]: ${problem}`);
    };
    for (const [key, row] of Object.entries(ROWS)) {
      const method = key.split(" ")[0] ?? "GET";
      const access = row.access;
      for (const [column, token] of refusedTokens()) {
        const want: Answer =
          access.kind === "public"
            ? access.answer
            : access.kind === "signed"
              ? "403 CALLBACK_REJECTED"
              : "401 UNAUTHORIZED";
        const who: Who = { column, token, userId: w.customer.userId, phones: [] };
        await check(key, column, () => ask(method, row.request(w, who), token, want));
      }
      for (const [index, column] of ROLE_COLUMNS.entries()) {
        const who = whoIs(column, row);
        const want: Cell =
          access.kind === "session"
            ? (access.as[index] ?? null)
            : access.kind === "public"
              ? access.answer
              : access.kind === "signed"
                ? "403 CALLBACK_REJECTED"
                : "401 UNAUTHORIZED";
        if (want === null) continue;
        const hides = column === "other" && access.kind === "session" ? (access.hides?.(w) ?? []) : [];
        const phones = access.kind === "session" && !access.fullPhones ? who.phones : null;
        await check(key, column, () => ask(method, row.request(w, who), who.token, want, hides, phones));
      }
      if (access.kind === "signed")
        await check(key, "signed", () => ask(method, access.signed(w), null, 200));
      if (access.kind === "metrics") {
        await check(key, "metrics token", () =>
          ask(method, row.request(w, whoIs("admin", row)), w.metricsToken, 200),
        );
      }
    }
    expect(problems).toEqual([]);
    expect(cells).toBeGreaterThan(500);
    await w.s.t.services.payments.callbacks.whenIdle();
    await w.s.t.services.payoutResults.whenIdle();
    expect(await moneyState(w)).toEqual(before);
    await assertBooksBalanced(w.s.t.db.db.kysely);
  });
});
