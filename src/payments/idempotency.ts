/**
 * `Idempotency-Key` for `POST /stkpush`: the same key with the same request answers the first
 * answer; the same key with another request is refused (422); a repeat that arrives while the first
 * is still running waits for its answer, so a double click sends one push.
 *
 * Stored answers: the 201 and deterministic refusals (4xx). Not stored: "in progress" and rate
 * limits (they change by themselves) and 5xx (worth retrying with the same key).
 */
import { createHash, randomUUID } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { Executor } from "../db/schema.ts";
import { AppError, type ErrorCode } from "../errors.ts";
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  type IdempotencyClaim,
  type IdempotencyRow,
  releaseIdempotencyKey,
  storeIdempotentAnswer,
  takeOverStaleKey,
} from "./idempotency.repository.ts";
import { findTransaction } from "./payment.repository.ts";
import type { PaymentTimings } from "./timings.ts";

export interface IdempotentRequest {
  userId: string;
  key: string;
  /** What makes two requests "the same": the normalised body. */
  fingerprint: Record<string, string | number | null>;
}

interface Deps {
  db: Db;
  clock: Clock;
  timings: Pick<PaymentTimings, "idempotencyWaitMs">;
}

const POLL_MS = 50;

export function requestHash(fingerprint: IdempotentRequest["fingerprint"]): string {
  const canonical = JSON.stringify(
    Object.keys(fingerprint)
      .sort()
      .map((k) => [k, fingerprint[k]]),
  );
  return createHash("sha256").update(canonical).digest("hex");
}

function storable(error: AppError): boolean {
  return error.status < 500 && error.code !== "PAYMENT_IN_PROGRESS" && error.code !== "RATE_LIMITED";
}

function replay<T>(statusCode: number, body: string): T {
  const parsed = JSON.parse(body) as T & {
    error?: { code: ErrorCode; message: string; details?: Record<string, unknown> };
  };
  if (statusCode >= 400 && parsed.error)
    throw new AppError(parsed.error.code, parsed.error.message, parsed.error.details);
  return parsed;
}

/** True when the same user already used this key for this very request and its answer is stored. */
export async function hasStoredAnswer(executor: Executor, request: IdempotentRequest): Promise<boolean> {
  const existing = await findIdempotencyKey(executor, request.userId, request.key);
  return (
    existing !== null &&
    existing.request_hash === requestHash(request.fingerprint) &&
    existing.status_code !== null &&
    existing.response_body !== null
  );
}

/**
 * Runs `run` once per key and request. A claim is taken over only when it looks abandoned (older
 * than twice the wait) AND its request cannot be talking to Daraja about a push: it created no
 * attempt, or its attempt is past `initiated`. A request whose claim was taken over cannot create an
 * attempt any more (`linkAttempt` fails), so it can never push.
 */
export async function withIdempotency<T>(
  deps: Deps,
  request: IdempotentRequest,
  run: (claim: IdempotencyClaim) => Promise<T>,
): Promise<T> {
  const { db, clock } = deps;
  const hash = requestHash(request.fingerprint);
  const claim: IdempotencyClaim = { userId: request.userId, key: request.key, claimId: randomUUID() };
  const waitUntil = Date.now() + deps.timings.idempotencyWaitMs;

  for (;;) {
    if (await claimIdempotencyKey(db.kysely, { ...claim, requestHash: hash, at: clock.now() })) break;
    const existing = await findIdempotencyKey(db.kysely, request.userId, request.key);
    if (!existing) continue; // released in between: claim again
    if (existing.request_hash !== hash)
      throw new AppError(
        "IDEMPOTENCY_CONFLICT",
        "This Idempotency-Key was already used for a different request",
      );
    if (existing.status_code !== null && existing.response_body !== null)
      return replay<T>(existing.status_code, existing.response_body);
    if (await abandoned(deps, existing)) {
      if (await takeOverStaleKey(db.kysely, { ...claim, previous: existing, at: clock.now() })) break;
      continue;
    }
    if (Date.now() > waitUntil)
      throw new AppError(
        "PAYMENT_IN_PROGRESS",
        "A request with this Idempotency-Key is still being processed",
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  try {
    const result = await run(claim);
    await storeIdempotentAnswer(db.kysely, { ...claim, statusCode: 201, body: result });
    return result;
  } catch (error) {
    if (error instanceof AppError && storable(error)) {
      const body = {
        success: false,
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      };
      await storeIdempotentAnswer(db.kysely, { ...claim, statusCode: error.status, body });
    } else {
      await releaseIdempotencyKey(db.kysely, claim);
    }
    throw error;
  }
}

/** Its request never answered (its process stopped), and no push of its may be in flight. */
async function abandoned(deps: Deps, existing: IdempotencyRow): Promise<boolean> {
  const age = deps.clock.now().getTime() - new Date(existing.created_at).getTime();
  if (age <= deps.timings.idempotencyWaitMs * 2) return false;
  if (existing.transaction_id === null) return true;
  const attempt = await findTransaction(deps.db.kysely, existing.transaction_id);
  // Still `initiated`: its push may be on its way (the reconciler settles a dead one's attempt).
  return attempt === null || attempt.status !== "initiated";
}
