/**
 * Per-route rate limits (the plugin is registered with `global: false`; routes opt in through
 * `config.rateLimit`). Counters live in the process: behind several processes each one counts on
 * its own, which still bounds guessing per process.
 */
import type { FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";

export interface RateLimit {
  max: number;
  timeWindowMs: number;
}

export interface RateLimits {
  /** Sign-in attempts per client address and email. */
  login: RateLimit;
  /** Sign-in attempts per client address, whatever the email (each one costs a password hash check). */
  loginPerAddress: RateLimit;
  /** Sign-ups per client address. */
  register: RateLimit;
  /** STK Pushes per signed-in user (the payment service also limits attempts per phone number). */
  stkPush: RateLimit;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  login: { max: 10, timeWindowMs: 60_000 },
  loginPerAddress: { max: 60, timeWindowMs: 60_000 },
  register: { max: 30, timeWindowMs: 10 * 60_000 },
  stkPush: { max: 10, timeWindowMs: 60_000 },
};

/** The error the rate-limit plugin throws; the error handler turns it into the envelope. */
export function rateLimitError(_request: FastifyRequest, context: { after: string; ttl: number }): AppError {
  return new AppError("RATE_LIMITED", `Too many attempts; try again in ${context.after}`, {
    retryAfterSeconds: Math.ceil(context.ttl / 1000),
  });
}

/** Key for per-account limits: the client address plus the email in the (already validated) body. */
export function addressAndEmailKey(request: FastifyRequest): string {
  const body = request.body as { email?: unknown } | undefined;
  const email = typeof body?.email === "string" ? body.email.trim().toLowerCase().slice(0, 254) : "";
  return `${request.ip}|${email}`;
}
