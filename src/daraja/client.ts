/**
 * The typed Daraja client: STK Push and STK Push Query against Safaricom (sandbox or production) or
 * any Daraja-compatible server such as the local emulator. Knows nothing of our database or HTTP.
 *
 * Retry policy (style principle 4): the token and queries are retried with jittered backoff; a push
 * is sent at most once, except for one resend after Daraja refused the access token (404.001.03 or
 * 401.x) — safe because Daraja rejected the first attempt before creating anything. A push that may
 * have reached Daraja without a readable answer fails with `outcome_unknown`: reconcile by query.
 */
import type { Logger } from "pino";
import { type Clock, systemClock } from "../clock.ts";
import type { DarajaApi, StkPushAccepted, StkPushInput, StkQueryResult } from "./contract.ts";
import {
  errorFromResponse,
  isTokenRejectionCode,
  outcomeUnknown,
  type RawResponse,
  readResponseBody,
} from "./error-response.ts";
import { DarajaError, type DarajaOperation } from "./errors.ts";
import { maskMsisdn } from "./phone.ts";
import {
  createRateLimiter,
  DEFAULT_RATE_LIMIT,
  type RateLimitSettings,
  realSleep,
  type Sleep,
} from "./rate-limiter.ts";
import { classifyResultCode, normalizeResultCode } from "./result-codes.ts";
import { DEFAULT_RETRY, type Random, type RetryContext, type RetrySettings, withRetries } from "./retry.ts";
import {
  buildStkPushBody,
  buildStkQueryBody,
  type Merchant,
  validateCheckoutRequestId,
  validateStkPushInput,
} from "./stk-request.ts";
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
  /** Token bucket per client; `null` turns it off. Default 5 at once, 5 per second. */
  rateLimit?: RateLimitSettings | null;
  /** For the token and queries only. Default 3 attempts, 250 ms doubling to 4 s, jittered. */
  retry?: Partial<RetrySettings>;
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: Random;
  /** How the client waits (backoff, rate limit). Default setTimeout; tests pass a fake. */
  sleep?: Sleep;
  /** Replace the token this long before it expires. Default 60 s. */
  tokenRefreshMarginMs?: number;
}

export interface DarajaClient extends DarajaApi {
  /** A valid access token (cached). Useful for a readiness check. */
  accessToken(): Promise<string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const code = (v: unknown): string | null =>
  typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? normalizeResultCode(v) : null;

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
  const transport = createTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 15_000,
    fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    limiter: limiterSettings === null ? null : createRateLimiter(limiterSettings, clock, sleep),
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

  /** POSTs with the cached token; if Daraja refuses the token, refreshes it once and resends once. */
  async function postWithToken(
    operation: DarajaOperation,
    path: string,
    body: unknown,
  ): Promise<RawResponse> {
    const send = (token: string) =>
      transport.send(operation, {
        method: "POST",
        path,
        headers: { Authorization: `Bearer ${token}` },
        body,
      });
    const token = await tokens.get();
    const first = await send(token);
    if (!tokenRefused(first)) return first;
    log?.info({ operation, httpStatus: first.status }, "daraja refused the access token; refreshing once");
    tokens.invalidate(token);
    return send(await tokens.get());
  }

  return {
    accessToken: () => tokens.get(),

    async stkPush(input: StkPushInput): Promise<StkPushAccepted> {
      const push = validateStkPushInput(input);
      const timestamp = toDarajaTimestamp(clock.now());
      const phone = maskMsisdn(push.msisdn);
      try {
        const response = await postWithToken(
          "stk_push",
          STK_PUSH_PATH,
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
          // A fresh timestamp per attempt: the password only has to match the timestamp sent with it.
          const body = buildStkQueryBody(merchant, id, toDarajaTimestamp(clock.now()));
          return readQueryResult(await postWithToken("stk_query", STK_QUERY_PATH, body), id);
        },
        { ...retry, operation: "stk_query" },
      );
    },
  };
}

function tokenRefused(response: RawResponse): boolean {
  const body = readResponseBody(response.text);
  if (body.shape === "envelope") return isTokenRejectionCode(body.envelope.errorCode.trim());
  return response.status === 401;
}

const isSuccessStatus = (status: number) => status >= 200 && status < 300;

/** A 200 with ResponseCode "0" is an acceptance; another ResponseCode is a rejection (reference §3). */
export function readPushAcceptance(response: RawResponse): StkPushAccepted {
  const body = readResponseBody(response.text);
  if (!isSuccessStatus(response.status) || body.shape !== "json")
    throw errorFromResponse("stk_push", response);
  const value = body.value;
  const responseCode = isRecord(value) ? code(value.ResponseCode) : null;
  if (!isRecord(value) || responseCode === null)
    throw outcomeUnknown(unexpected("stk_push", response.status, "no ResponseCode in the push response"));
  const description = text(value.ResponseDescription) ?? "";
  if (responseCode !== "0") {
    throw new DarajaError(
      "rejected",
      `STK Push rejected: ResponseCode ${responseCode} ${description}`.trim(),
      {
        operation: "stk_push",
        retryable: false,
        httpStatus: response.status,
        errorCode: responseCode,
        errorMessage: description,
      },
    );
  }
  const merchantRequestId = text(value.MerchantRequestID);
  const checkoutRequestId = text(value.CheckoutRequestID);
  if (merchantRequestId === null || checkoutRequestId === null)
    throw outcomeUnknown(
      unexpected("stk_push", response.status, "accepted push without MerchantRequestID/CheckoutRequestID"),
    );
  const accepted: StkPushAccepted = {
    merchantRequestId,
    checkoutRequestId,
    responseCode,
    responseDescription: description,
  };
  const customerMessage = text(value.CustomerMessage);
  if (customerMessage !== null) accepted.customerMessage = customerMessage;
  return accepted;
}

/**
 * Query answers (reference §5): ResultCode "4999" and the HTTP 500 500.001.1001 "being processed"
 * mean not final; "does not Exist" is reported as not_found (it is also answered, intermittently,
 * for known IDs — the caller decides when to give up). Everything else with a ResultCode is final.
 */
export function readQueryResult(response: RawResponse, checkoutRequestId: string): StkQueryResult {
  const body = readResponseBody(response.text);
  if (body.shape === "envelope" && body.envelope.errorCode.trim() === "500.001.1001") {
    const said = body.envelope.errorMessage ?? "";
    if (/being processed/i.test(said)) return { kind: "not_final", reason: "processing", resultDesc: said };
    if (/does not exist/i.test(said)) return { kind: "not_final", reason: "not_found", resultDesc: said };
  }
  if (!isSuccessStatus(response.status) || body.shape !== "json")
    throw errorFromResponse("stk_query", response);
  const value = body.value;
  if (!isRecord(value)) throw unexpected("stk_query", response.status, "query response is not an object");
  const resultCode = code(value.ResultCode);
  const resultDesc = text(value.ResultDesc) ?? "";
  if (resultCode === null) {
    const responseCode = code(value.ResponseCode);
    if (responseCode !== null && responseCode !== "0")
      throw new DarajaError("rejected", `STK Push Query rejected: ResponseCode ${responseCode}`, {
        operation: "stk_query",
        retryable: false,
        httpStatus: response.status,
        errorCode: responseCode,
        errorMessage: text(value.ResponseDescription),
      });
    throw unexpected("stk_query", response.status, "no ResultCode in the query response");
  }
  if (classifyResultCode(resultCode).outcome === "not_final")
    return { kind: "not_final", reason: "processing", resultDesc };
  const answeredFor = text(value.CheckoutRequestID);
  if (answeredFor !== null && answeredFor !== checkoutRequestId)
    throw unexpected("stk_query", response.status, "the answer is for another CheckoutRequestID");
  return {
    kind: "final",
    merchantRequestId: text(value.MerchantRequestID) ?? "",
    checkoutRequestId,
    resultCode,
    resultDesc,
  };
}

function unexpected(operation: DarajaOperation, httpStatus: number, problem: string): DarajaError {
  return new DarajaError("unexpected_response", `Daraja ${operation}: ${problem}`, {
    operation,
    retryable: false,
    httpStatus,
  });
}
