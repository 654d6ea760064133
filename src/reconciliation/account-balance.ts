/**
 * The Account Balance API (reference §13), asked on demand and on a schedule, compared with the
 * books: its Utility Account (where customer payments land and payouts and reversals leave from)
 * against the ledger's mpesa_clearing when the answer arrives. The difference is the shortcode's
 * opening balance, the charges (never booked by us) and anything unrecorded; each run shows the
 * latest answer next to the statement.
 *
 * Asking is safe to repeat. The check is recorded before Daraja is asked; the answer comes later on
 * a ResultURL (or QueueTimeOutURL) signed like the payout ones (`balance:<checkId>`), is recorded
 * once on its check, and is never trusted unsigned.
 */
import type { Clock } from "../clock.ts";
import type { DarajaPayoutsApi } from "../daraja/contract.ts";
import { isDarajaError } from "../daraja/errors.ts";
import { accountNamed, parseAccountBalanceResult } from "../daraja/query-results.ts";
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { accountBalances } from "../ledger/ledger.ts";
import type { Logger } from "../logger.ts";
import { signedUrl, verifySignature } from "../payments/callback-url.ts";
import { RESULT_BASE_PATH } from "../payouts/result-urls.ts";
import type { Secret } from "../secret.ts";
import { findCheck, insertCheck, markSent, recordAnswer } from "./balance-checks.repository.ts";
import { type BalanceCheckView, toBalanceCheckView } from "./views.ts";

/** Where Daraja posts the answer, under RESULT_BASE_PATH. */
export const BALANCE_RESULT_ROUTES = { result: "/balance/result", timeout: "/balance/timeout" } as const;

export interface AccountBalanceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  daraja: Pick<DarajaPayoutsApi, "accountBalance">;
  publicBaseUrl: string;
  secret: Secret;
}

const subjectOf = (checkId: string) => `balance:${checkId}`;

/** Records a check and asks Daraja; the answer (or Daraja's refusal) is on the check. */
export async function requestAccountBalance(
  deps: AccountBalanceDeps,
  requestedBy: string | null,
): Promise<BalanceCheckView> {
  const check = await insertCheck(deps.db.kysely, { requestedBy, at: deps.clock.now() });
  const base = `${deps.publicBaseUrl.replace(/\/+$/, "")}${RESULT_BASE_PATH}`;
  const url = (route: keyof typeof BALANCE_RESULT_ROUTES) =>
    signedUrl(`${base}${BALANCE_RESULT_ROUTES[route]}`, { id: check.id }, deps.secret, subjectOf(check.id));
  try {
    const accepted = await deps.daraja.accountBalance({
      remarks: "Reconciliation",
      resultUrl: url("result"),
      queueTimeoutUrl: url("timeout"),
    });
    await markSent(deps.db.kysely, check.id, {
      accepted: true,
      originatorConversationId: accepted.originatorConversationId,
      conversationId: accepted.conversationId,
    });
  } catch (error) {
    if (!isDarajaError(error)) throw error;
    deps.logger.warn({ checkId: check.id, err: error.toJSON() }, "Account Balance query not taken");
    await markSent(deps.db.kysely, check.id, {
      accepted: false,
      code: error.errorCode ?? error.kind,
      description: error.errorMessage ?? error.message,
      at: deps.clock.now(),
    });
  }
  return toBalanceCheckView((await findCheck(deps.db.kysely, check.id)) ?? check);
}

export interface IncomingBalanceResult {
  route: keyof typeof BALANCE_RESULT_ROUTES;
  rawBody: string;
  id: string | undefined;
  sig: string | undefined;
}

/** Records Daraja's answer on its check; throws CALLBACK_REJECTED (403) or VALIDATION_ERROR (400). */
export async function receiveAccountBalance(deps: AccountBalanceDeps, input: IncomingBalanceResult) {
  const id = input.id;
  if (typeof id !== "string" || !verifySignature(deps.secret, subjectOf(id), input.sig))
    throw new AppError("CALLBACK_REJECTED", "Result URL signature is missing or invalid");
  const check = await findCheck(deps.db.kysely, id);
  if (!check) throw new AppError("CALLBACK_REJECTED", "No such balance check");
  let body: unknown;
  try {
    body = JSON.parse(input.rawBody);
  } catch {
    body = null;
  }
  const parsed = input.route === "result" ? parseAccountBalanceResult(body) : null;
  if (input.route === "result" && !parsed?.ok)
    throw new AppError(
      "VALIDATION_ERROR",
      `Malformed Account Balance result: ${parsed?.ok === false ? parsed.error.message : "not JSON"}`,
    );
  const result = parsed?.ok ? parsed.value : null;
  if (
    result !== null &&
    check.originator_conversation_id !== null &&
    result.originatorConversationId !== check.originator_conversation_id
  )
    throw new AppError("CALLBACK_REJECTED", "The result names another query");
  const cents = (name: string) => accountNamed(result?.accounts ?? null, name)?.availableCents ?? null;
  const ok = result !== null && result.resultCode === "0";
  await deps.db.kysely.transaction().execute(async (trx) => {
    const books = await accountBalances(trx);
    await recordAnswer(trx, id, {
      status: ok ? "completed" : "failed",
      resultCode: result?.resultCode ?? null,
      resultDesc: result?.resultDesc ?? "The query timed out in Daraja's queue",
      workingCents: ok ? cents("Working Account") : null,
      utilityCents: ok ? cents("Utility Account") : null,
      chargesPaidCents: ok ? cents("Charges Paid Account") : null,
      accounts: ok ? (result.accounts ?? []) : null,
      balancesAt: result?.completedAt?.toISOString() ?? null,
      ledgerClearingKes: books.mpesa_clearing,
      rawBody: input.rawBody.replaceAll("\u0000", "\\u0000").slice(0, 16_384),
      at: deps.clock.now(),
    });
  });
}

/** Asks every `intervalMs` (0: never); a failure is logged and asked again next time. */
export function createBalanceSchedule(deps: AccountBalanceDeps, intervalMs: number) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  return {
    start() {
      if (intervalMs <= 0 || timer !== null) return;
      timer = setInterval(() => {
        running = requestAccountBalance(deps, null).catch((error) =>
          deps.logger.error({ err: error }, "Account Balance query failed"),
        );
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
