/**
 * The OAuth access token (reference §2): `GET /oauth/v1/generate?grant_type=client_credentials` with
 * HTTP Basic. Cached until shortly before it expires; concurrent callers share one in-flight
 * request; `expires_in` accepted as the string "3599" (real traffic) or the number 3599 (v3 docs).
 * A new token may invalidate the previous one at Safaricom, which is why one cache per client and
 * a refresh-once on "Invalid Access Token" matter.
 */
import type { Clock } from "../clock.ts";
import { errorFromResponse, readResponseBody } from "./error-response.ts";
import { DarajaError } from "./errors.ts";
import { type RetryContext, withRetries } from "./retry.ts";
import type { Transport } from "./transport.ts";

export const TOKEN_PATH = "/oauth/v1/generate?grant_type=client_credentials";

export interface AccessToken {
  token: string;
  expiresInSeconds: number;
}

export interface TokenProvider {
  /** A valid token, from the cache or a (shared) fresh request. */
  get(): Promise<string>;
  /** Forgets `token` if it is still the cached one (Daraja just refused it). */
  invalidate(token: string): void;
}

export interface TokenProviderOptions {
  transport: Transport;
  consumerKey: string;
  consumerSecret: string;
  clock: Clock;
  /** How long before expiry a token is replaced; capped at half the token's lifetime. */
  refreshMarginMs: number;
  retry: Omit<RetryContext, "operation">;
  onFetched?: (expiresInSeconds: number) => void;
}

function malformed(problem: string, httpStatus: number): DarajaError {
  return new DarajaError("unexpected_response", `OAuth token response is malformed: ${problem}`, {
    operation: "token",
    retryable: false,
    httpStatus,
  });
}

/** Reads a 2xx token answer; never echoes the token in an error. */
export function parseTokenResponse(status: number, text: string): AccessToken {
  const body = readResponseBody(text);
  if (body.shape !== "json") throw malformed(`expected a JSON object, got ${body.shape}`, status);
  const value = body.value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw malformed("expected a JSON object", status);
  const { access_token: token, expires_in: expiresIn } = value as Record<string, unknown>;
  if (typeof token !== "string" || !/^\S{1,4096}$/.test(token))
    throw malformed("access_token missing or not a string", status);
  const seconds =
    typeof expiresIn === "number"
      ? expiresIn
      : typeof expiresIn === "string" && /^\s*\d+\s*$/.test(expiresIn)
        ? Number(expiresIn)
        : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw malformed("expires_in missing or not a positive number of seconds", status);
  return { token, expiresInSeconds: seconds };
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const basic = Buffer.from(`${options.consumerKey}:${options.consumerSecret}`, "utf8").toString("base64");
  let cached: { token: string; refreshAtMs: number } | null = null;
  let inflight: Promise<string> | null = null;

  async function fetchOnce(): Promise<string> {
    const requestedAtMs = options.clock.now().getTime();
    const response = await options.transport.send("token", {
      method: "GET",
      path: TOKEN_PATH,
      headers: { Authorization: `Basic ${basic}` },
    });
    const ok = response.status >= 200 && response.status < 300;
    // On 2xx anything but a plain JSON object (an error envelope, an HTML page, nothing) is an error.
    if (!ok || readResponseBody(response.text).shape !== "json") throw errorFromResponse("token", response);
    const { token, expiresInSeconds } = parseTokenResponse(response.status, response.text);
    const lifetimeMs = expiresInSeconds * 1000;
    const margin = Math.min(options.refreshMarginMs, lifetimeMs / 2);
    // Measured from when we asked, not when the answer came: errs on the side of refreshing early.
    cached = { token, refreshAtMs: requestedAtMs + lifetimeMs - margin };
    options.onFetched?.(expiresInSeconds);
    return token;
  }

  return {
    get() {
      if (cached && options.clock.now().getTime() < cached.refreshAtMs) return Promise.resolve(cached.token);
      if (!inflight) {
        inflight = withRetries(fetchOnce, { ...options.retry, operation: "token" }).finally(() => {
          inflight = null;
        });
      }
      return inflight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
  };
}
