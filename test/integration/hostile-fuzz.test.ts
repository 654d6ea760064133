/**
 * Fuzz every route of the app (read from the app: a new route is fuzzed as soon as it has its row
 * in the authorization matrix, which every route must have) with fast-check: hostile values in its
 * body, query and path, raw bodies that are not JSON, duplicate keys, invalid UTF-8, wrong content
 * types, every kind of token, starting from one valid request of the route. Every answer is the
 * route's documented success or a 4xx with the error envelope, never a 5xx; no answer shows a
 * secret; and nothing moves money — the world is settled, so its ledger, balances, payouts, refunds
 * and fees must come out as they went in (a payment may only be sent to review, by a signed
 * Daraja contradiction). Seeded and bounded (FUZZ_RUNS per route, default 12); a failure names its
 * seed (FUZZ_SEED) to replay it.
 */
import fc from "fast-check";
import type { HTTPMethods } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBooksBalanced } from "../support/books.ts";
import { envelopeProblem } from "../support/envelope.ts";
import {
  type AppRoute,
  appRoutes,
  documentedOperations,
  type Operation,
  tableProblems,
} from "../support/routes.ts";
import { moneyState, startWorld, type World } from "../support/world.ts";
import { ROWS, type Row } from "./authorization-matrix.rows.ts";
import { type FuzzRequest, requestFor, stillSigned } from "./hostile-fuzz.requests.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let w: World;
let routes: AppRoute[];
let operations: Map<string, Operation>;

beforeAll(async () => {
  w = await startWorld();
  routes = appRoutes(w.s.t.app);
  operations = await documentedOperations(w.s.t.app);
}, 120_000);
afterAll(async () => {
  await w?.s.close();
});

/** What an answer must never show: stack frames, file paths, database errors. */
const INTERNALS = /\n\s+at |node_modules|node:internal|SQLITE_|SqliteError|relation "|syntax error at/;

/** Files a path traversal would reach: the project's package.json, the system's passwd. */
const FILES = /"devDependencies"|root:x:0:0:/;

let address = 0;
async function send(route: AppRoute, row: Row, op: Operation | undefined, req: FuzzRequest): Promise<void> {
  address += 1;
  const res = await w.s.t.app.inject({
    method: route.method as HTTPMethods,
    url: req.url,
    remoteAddress: `10.66.${Math.floor(address / 250) % 250}.${(address % 250) + 1}`,
    headers: {
      ...req.extra,
      ...(req.auth.header === null ? {} : { authorization: req.auth.header }),
      ...(req.contentType === null ? {} : { "content-type": req.contentType }),
    },
    ...(req.body.payload === undefined ? {} : { payload: req.body.payload }),
  });
  const problem = answerProblem(route, row, op, req, res);
  if (problem)
    throw new Error(`${problem} — ${req.auth.label}, body: ${req.body.label}, url: ${req.url.slice(0, 160)}`);
}

function answerProblem(
  route: AppRoute,
  row: Row,
  op: Operation | undefined,
  req: FuzzRequest,
  res: { statusCode: number; body: string },
): string | null {
  if (res.statusCode >= 500) return `answered ${res.statusCode}: ${res.body.slice(0, 200)}`;
  for (const secret of [w.s.t.config.jwtSecret.reveal(), w.s.t.config.callbackSecret.reveal()])
    if (res.body.includes(secret)) return `answered ${res.statusCode} showing a secret`;
  if (FILES.test(res.body)) return `answered ${res.statusCode} with a file from outside what it serves`;
  if (res.statusCode >= 400)
    return INTERNALS.test(res.body) ? "answered with internals" : envelopeProblem(res);
  const access = row.access;
  const readsJson = op?.body != null || (access.kind === "signed" && !route.path.endsWith("timeout"));
  const mustFail =
    !req.auth.valid ||
    (access.kind === "signed" && !stillSigned(w, route, req.url)) ||
    (req.body.notJson && readsJson && req.contentType === "application/json");
  if (mustFail) return `accepted it (${res.statusCode})`;
  const successes = op
    ? [...op.responses].filter(([, r]) => !r.isError).map(([status]) => status)
    : [access.kind === "public" ? access.answer : 200, 200];
  return successes.includes(res.statusCode)
    ? null
    : `answered ${res.statusCode}, which the route does not document`;
}

/** What changed in the money since `before` that a hostile request may not change. */
function moneyProblems(before: Awaited<ReturnType<typeof moneyState>>, after: typeof before): string[] {
  const { transactions: was, ...rest } = before;
  const { transactions: now, ...restNow } = after;
  const problems: string[] = [];
  if (JSON.stringify(rest) !== JSON.stringify(restNow))
    problems.push("the ledger, fees, payouts or refunds changed");
  const moved = now.filter((t) => {
    const old = was.find((o) => o.id === t.id);
    return !old || old.amount !== t.amount || (old.status !== t.status && t.status !== "needs_review");
  });
  if (moved.length > 0 || now.length !== was.length)
    problems.push(`payments changed: ${JSON.stringify(moved)}`);
  return problems;
}

describe("fuzzing every route", () => {
  it("every route has an entry (its authorization-matrix row)", () => {
    expect(tableProblems(routes, Object.keys(ROWS))).toEqual([]);
  });

  it("answers its success or the error envelope, never a 5xx, and moves no money", async () => {
    let before = await moneyState(w);
    const failures: string[] = [];
    for (const [index, route] of routes.entries()) {
      const row = ROWS[route.key];
      if (!row) continue; // reported by the test above
      const op = operations.get(route.key);
      const seed = SEED + index;
      const out = await fc.check(
        fc.asyncProperty(requestFor(w, route, row, op), (req) => send(route, row, op, req)),
        { seed, numRuns: RUNS, endOnFailure: true },
      );
      if (out.failed)
        failures.push(
          `${route.key} (FUZZ_SEED=${SEED}, seed ${seed}): ${String(out.errorInstance).slice(0, 600)}`,
        );
      await w.s.t.services.payments.callbacks.whenIdle();
      await w.s.t.services.payoutResults.whenIdle();
      // Compared route by route, so a change is blamed on the route that made it.
      const after = await moneyState(w);
      for (const problem of moneyProblems(before, after))
        failures.push(`${route.key} (FUZZ_SEED=${SEED}): ${problem}`);
      before = after;
    }
    expect(failures).toEqual([]);
    await assertBooksBalanced(w.s.t.db.db.kysely);
    expect((await w.s.t.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
  }, 600_000);
});
