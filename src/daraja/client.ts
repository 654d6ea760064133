/**
 * The typed Daraja client: STK Push and STK Push Query against Safaricom (sandbox or production) or
 * any Daraja-compatible server such as the local emulator. Knows nothing of our database or HTTP.
 *
 * Money out (B2C, Reversal) and its queries (Transaction Status, Account Balance): initiator-calls.ts.
 *
 * Retry policy (style principle 4, the operations table): the token and queries are retried with
 * jittered backoff; a push, a B2C payment and a reversal are sent at most once per call, except for
 * one resend after Daraja refused the access token (404.001.03 or 401.x) — safe because Daraja
 * rejected the first attempt before creating anything. One that may have reached Daraja without a
 * readable answer fails with `outcome_unknown`: settle it by its query.
 */
import type { Logger } from "pino";
import { type Clock, systemClock } from "../clock.ts";
import type {
  DarajaApi,
  DarajaPayoutsApi,
  StkPushAccepted,
  StkPushInput,
  StkQueryResult,
} from "./contract.ts";
import type { RawResponse } from "./error-response.ts";
import { DarajaError, type DarajaOperation } from "./errors.ts";
import { createInitiatorCalls, type InitiatorOptions } from "./initiator-calls.ts";
import { maskMsisdn } from "./phone.ts";
import {
  createRateLimiter,
  DEFAULT_RATE_LIMIT,
  type RateLimitSettings,
  realSleep,
  type Sleep,
} from "./rate-limiter.ts";
import { DEFAULT_RETRY, type Random, type RetryContext, type RetrySettings, withRetries } from "./retry.ts";
import {
  buildStkPushBody,
  buildStkQueryBody,
  type Merchant,
  validateCheckoutRequestId,
  validateStkPushInput,
} from "./stk-request.ts";
import { readPushAcceptance, readQueryResult, tokenRefused } from "./stk-response.ts";
import { toDarajaTimestamp } from "./timestamp.ts";
import { createTokenProvider } from "./token.ts";
import { createTransport, type FetchLike } from "./transport.ts";
import type { TransactionType } from "./wire.ts";

export const STK_PUSH_PATH = "/mpesa/stkpush/v1/processrequest";
export const STK_QUERY_PATH = "/mpesa/stkpushquery/v1/query";

export interface DarajaClientOptions {
  /** `https://sandbox.safaricom.co.ke`, `https://api.safaricom.co.ke`, or e.g. the emulator's URL. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** BusinessShortCode: the paybill, or the store/head-office number for a till. */
  shortcode: string;
  passkey: string;
  transactionType: TransactionType;
  /** Receiving party: the till for buy-goods (required); defaults to the shortcode for paybill. */
  partyB?: string;
  /** Per HTTP exchange, body included. Default 15 s. */
  timeoutMs?: number;
  clock?: Clock;
  fetch?: FetchLike;
  logger?: Logger;
  /** Token bucket per client; `null` turns it off. Default 5 at once, 5 per second, at most 2 s of waiting. */
  rateLimit?: RateLimitSettings | null;
  /** For the token and queries only. Default 3 attempts, 250 ms doubling to 4 s, jittered. */
  retry?: Partial<RetrySettings>;
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: Random;
  /**
   * How the client waits (backoff, rate limit). Default setTimeout; tests pass a fake that advances
   * their clock. The rate limiter reads `clock` only when `sleep` is injected, the system clock otherwise.
   */
  sleep?: Sleep;
  /** Replace the token this long before it expires. Default 60 s. */
  tokenRefreshMarginMs?: number;
  /** The API operator for B2C, Reversal and the queries; without it those calls are refused locally. */
  initiator?: InitiatorOptions;
}

export type { InitiatorOptions };

export interface DarajaClient extends DarajaApi, DarajaPayoutsApi {
  /** A valid access token (cached). Useful for a readiness check. */
  accessToken(): Promise<string>;
  congestion(): { retryAfterMs: number } | null;
}

function checkOptions(o: DarajaClientOptions): Merchant {
  const problems: string[] = [];
  try {
    if (!/^https?:$/.test(new URL(o.baseUrl).protocol)) problems.push("baseUrl must be http(s)");
  } catch {
    problems.push("baseUrl must be a URL");
  }
  if (!o.consumerKey) problems.push("consumerKey is required");
  if (!o.consumerSecret) problems.push("consumerSecret is required");
  if (!o.passkey) problems.push("passkey is required");
  if (!/^\d{1,10}$/.test(o.shortcode ?? "")) problems.push("shortcode must be digits");
  if (o.transactionType !== "CustomerPayBillOnline" && o.transactionType !== "CustomerBuyGoodsOnline")
    problems.push("transactionType must be CustomerPayBillOnline or CustomerBuyGoodsOnline");
  if (o.transactionType === "CustomerBuyGoodsOnline" && !o.partyB)
    problems.push("partyB (the till) is required");
  if (o.partyB !== undefined && !/^\d{1,10}$/.test(o.partyB)) problems.push("partyB must be digits");
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) problems.push("timeoutMs must be positive");
  if (problems.length > 0) throw new TypeError(`Invalid Daraja client options: ${problems.join("; ")}`);
  return {
    shortcode: o.shortcode,
    passkey: o.passkey,
    transactionType: o.transactionType,
    partyB: o.partyB ?? o.shortcode,
  };
}

export function createDarajaClient(options: DarajaClientOptions): DarajaClient {
  const merchant = checkOptions(options);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const log = options.logger?.child({ component: "daraja" });
  const limiterSettings = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  // With a real sleep the limiter must measure real time too: a frozen test clock would stall it.
  const limiter =
    limiterSettings === null
      ? null
      : createRateLimiter(limiterSettings, options.sleep ? clock : systemClock, sleep);
  const transport = createTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 15_000,
    fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    limiter,
  });
  const retry: Omit<RetryContext, "operation"> = {
    settings: { ...DEFAULT_RETRY, ...options.retry },
    random: options.random ?? Math.random,
    sleep,
    onRetry: (error, attempt, delayMs) =>
      log?.warn(
        { operation: error.operation, kind: error.kind, errorCode: error.errorCode, attempt, delayMs },
        "daraja retry",
      ),
  };
  const tokens = createTokenProvider({
    transport,
    consumerKey: options.consumerKey,
    consumerSecret: options.consumerSecret,
    clock,
    refreshMarginMs: options.tokenRefreshMarginMs ?? 60_000,
    retry,
    onFetched: (expiresInSeconds) => log?.debug({ expiresInSeconds }, "daraja access token fetched"),
  });

  /**
   * POSTs with the cached token; if Daraja refuses the token, refreshes it once and resends once.
   * `body(timestamp)` is built per send with one timestamp, used for both Password and Timestamp.
   */
  async function postWithToken(
    operation: DarajaOperation,
    path: string,
    body: (timestamp: string) => unknown,
  ): Promise<RawResponse> {
    const send = (token: string) =>
      transport.send(operation, {
        method: "POST",
        path,
        headers: { Authorization: `Bearer ${token}` },
        body: () => body(toDarajaTimestamp(clock.now())),
      });
    const token = await tokens.get();
    const first = await send(token);
    if (!tokenRefused(first)) return first;
    log?.info({ operation, httpStatus: first.status }, "daraja refused the access token; refreshing once");
    tokens.invalidate(token);
    return send(await tokens.get());
  }

  const initiatorCalls = createInitiatorCalls({
    initiator: options.initiator ?? null,
    collectionsShortcode: merchant.shortcode,
    post: (operation, path, body) => postWithToken(operation, path, () => body()),
    retry,
    log,
  });

  return {
    accessToken: () => tokens.get(),
    ...initiatorCalls,
    congestion: () => limiter?.congestion() ?? null,

    async stkPush(input: StkPushInput): Promise<StkPushAccepted> {
      const push = validateStkPushInput(input);
      const phone = maskMsisdn(push.msisdn);
      try {
        const response = await postWithToken("stk_push", STK_PUSH_PATH, (timestamp) =>
          buildStkPushBody(merchant, push, timestamp),
        );
        const accepted = readPushAcceptance(response);
        log?.info(
          { phone, amount: push.amount, checkoutRequestId: accepted.checkoutRequestId },
          "stk push accepted",
        );
        return accepted;
      } catch (error) {
        if (error instanceof DarajaError)
          log?.warn({ phone, amount: push.amount, err: error.toJSON() }, "stk push failed");
        throw error;
      }
    },

    async stkQuery(checkoutRequestId: string): Promise<StkQueryResult> {
      const id = validateCheckoutRequestId(checkoutRequestId);
      return withRetries(
        async () => {
          const response = await postWithToken("stk_query", STK_QUERY_PATH, (timestamp) =>
            buildStkQueryBody(merchant, id, timestamp),
          );
          return readQueryResult(response, id);
        },
        { ...retry, operation: "stk_query" },
      );
    },
  };
}
