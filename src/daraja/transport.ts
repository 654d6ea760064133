/**
 * One HTTP exchange with Daraja: rate-limited, bounded by a timeout, body read as text (Daraja does
 * not always answer JSON). Failures to get any answer become typed errors here; what an answer
 * means is decided by the callers.
 */
import type { RawResponse } from "./error-response.ts";
import { outcomeUnknown } from "./error-response.ts";
import { DarajaError, type DarajaOperation } from "./errors.ts";
import { mayActOnceSent } from "./operations.ts";
import { type RateLimiter, RateLimiterFull } from "./rate-limiter.ts";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface DarajaRequest {
  method: "GET" | "POST";
  /** Path and query, e.g. `/mpesa/stkpush/v1/processrequest`. */
  path: string;
  headers: Record<string, string>;
  /**
   * Built when the rate limiter lets the request go, so a Timestamp/Password pair is as fresh as the
   * moment it is sent, not the moment it was queued.
   */
  body?: () => unknown;
}

export interface Transport {
  send(operation: DarajaOperation, request: DarajaRequest): Promise<RawResponse>;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch: FetchLike;
  limiter: RateLimiter | null;
}

/**
 * Connection errors that happen before a single byte of the request leaves this machine: the
 * request cannot have reached Daraja, so even a push is safe to send again.
 */
const NEVER_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ERR_INVALID_URL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors))
      for (const e of errors) if (typeof (e as { code?: unknown })?.code === "string") codes.push(e.code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

export function createTransport(options: TransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, "");
  return {
    async send(operation, request) {
      if (options.limiter) {
        // A full queue refuses the request before anything is sent.
        const full = options.limiter.congestion();
        if (full) throw queueFull(operation, full.retryAfterMs);
        await options.limiter.acquire();
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), options.timeoutMs);
      const headers: Record<string, string> = { Accept: "application/json", ...request.headers };
      const body = request.body === undefined ? undefined : JSON.stringify(request.body());
      if (body !== undefined) headers["Content-Type"] = "application/json";
      try {
        const response = await options.fetch(`${base}${request.path}`, {
          method: request.method,
          headers,
          body,
          signal: controller.signal,
        });
        const text = await response.text();
        return { status: response.status, contentType: response.headers.get("content-type") ?? "", text };
      } catch (error) {
        throw failureWithoutAnswer(operation, error, controller.signal.aborted, options.timeoutMs);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function queueFull(operation: DarajaOperation, retryAfterMs: number): DarajaError {
  return new DarajaError(
    "rate_limited",
    `Daraja ${operation} not sent: ${new RateLimiterFull(retryAfterMs).message}`,
    {
      operation,
      // Sending it again at once would only meet the same full queue.
      retryable: false,
      local: true,
      errorCode: "queue_full",
      retryAfterMs,
    },
  );
}

function failureWithoutAnswer(
  operation: DarajaOperation,
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
): DarajaError {
  if (timedOut) {
    const timeout = new DarajaError("timeout", `Daraja ${operation} got no answer within ${timeoutMs} ms`, {
      operation,
      retryable: true,
      cause: error,
    });
    return mayActOnceSent(operation) ? outcomeUnknown(timeout) : timeout;
  }
  const codes = errorCodes(error);
  const neverSent = codes.some((code) => NEVER_SENT_CODES.has(code));
  const network = new DarajaError(
    "network",
    `Daraja ${operation} network failure${codes.length ? ` (${codes.join(", ")})` : ""}`,
    { operation, retryable: true, cause: error },
  );
  return mayActOnceSent(operation) && !neverSent ? outcomeUnknown(network) : network;
}
