/**
 * `Idempotency-Key` for `POST /stkpush`: the same key with the same request answers the first
 * answer; the same key with another request is refused (422); a repeat that arrives while the first
 * is still running waits for its answer, so a double click sends one push.
 *
 * Stored answers: the 201 and deterministic refusals (4xx). Not stored: "in progress" and rate
 * limits (they change by themselves) and 5xx (worth retrying with the same key).
 */
import { createHash } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { Executor } from "../db/schema.ts";
import { AppError, type ErrorCode } from "../errors.ts";
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  releaseIdempotencyKey,
  storeIdempotentAnswer,
  takeOverStaleKey,
} from "./idempotency.repository.ts";
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

export async function withIdempotency<T>(
  deps: Deps,
  request: IdempotentRequest,
  run: () => Promise<T>,
): Promise<T> {
  const { db, clock } = deps;
  const hash = requestHash(request.fingerprint);
  const give = { userId: request.userId, key: request.key };
  const waitUntil = Date.now() + deps.timings.idempotencyWaitMs;

  for (;;) {
    if (await claimIdempotencyKey(db.kysely, { ...give, requestHash: hash, at: clock.now() })) break;
    const existing = await findIdempotencyKey(db.kysely, request.userId, request.key);
    if (!existing) continue; // released in between: claim again
    if (existing.request_hash !== hash)
      throw new AppError(
        "IDEMPOTENCY_CONFLICT",
        "This Idempotency-Key was already used for a different request",
      );
    if (existing.status_code !== null && existing.response_body !== null)
      return replay<T>(existing.status_code, existing.response_body);
    const age = clock.now().getTime() - new Date(existing.created_at).getTime();
    if (age > deps.timings.idempotencyWaitMs * 2) {
      // Its request never answered (the process stopped): take the key over.
      if (await takeOverStaleKey(db.kysely, { ...give, createdAt: existing.created_at, at: clock.now() }))
        break;
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
    const result = await run();
    await storeIdempotentAnswer(db.kysely, { ...give, statusCode: 201, body: result });
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
      await storeIdempotentAnswer(db.kysely, { ...give, statusCode: error.status, body });
    } else {
      await releaseIdempotencyKey(db.kysely, request.userId, request.key);
    }
    throw error;
  }
}
