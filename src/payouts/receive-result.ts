/**
 * A B2C, Reversal or Transaction Status notice arrives from Daraja: record first, answer at once,
 * decide afterwards (like an STK callback). It is stored exactly as it came (raw body, source
 * address, signature validity) BEFORE anything else; an unsigned or forged one is then refused
 * (stored `rejected`, 403), a signed one is accepted for processing, which runs in the background.
 */
import { ResultParseError, readResultEnvelope } from "../daraja/result-envelope.ts";
import type { PayoutResultRoute } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { decidePayoutResult, insertPayoutResult } from "./payout-results.repository.ts";
import { processPayoutResult } from "./process-result.ts";
import { verifiedItem } from "./result-urls.ts";
import {
  INVALID_NOTICES_PER_ADDRESS_PER_MINUTE,
  REFUSED_BODY_CHARS,
  type ResultsContext,
} from "./results-context.ts";

export interface IncomingResult {
  route: PayoutResultRoute;
  rawBody: string;
  kind: string | undefined;
  id: string | undefined;
  sig: string | undefined;
  sourceIp: string | null;
}

/** The ids and code of a body that reads as a result, for the stored row (null otherwise). */
function headerOf(raw: string) {
  try {
    const { header } = readResultEnvelope(raw);
    return {
      conversationId: header.conversationId,
      originatorConversationId: header.originatorConversationId,
      resultCode: header.resultCode,
    };
  } catch (error) {
    if (error instanceof ResultParseError) return null;
    throw error;
  }
}

const named = (value: string | undefined) =>
  typeof value === "string" && value.length > 0 && value.length <= 100 && !value.includes("\u0000")
    ? value
    : null;

/** Stores and checks; throws AppError (after storing) when refused. Processing continues in the background. */
export async function receivePayoutResult(
  ctx: ResultsContext,
  input: IncomingResult,
): Promise<{ resultId: string }> {
  const now = ctx.clock.now();
  const ref = verifiedItem(ctx.secret, input);
  const sourceIp = input.sourceIp ?? "unknown";
  if (ref === null && !ctx.invalidNotices.take(sourceIp, now, INVALID_NOTICES_PER_ADDRESS_PER_MINUTE)) {
    ctx.logger.warn(
      { sourceIp, route: input.route },
      "unsigned payout notice dropped: too many from this address",
    );
    throw new AppError("RATE_LIMITED", "Too many unsigned notices from this address; try again later", {
      retryAfterSeconds: 60,
    });
  }
  // Text columns cannot hold NUL; such a body is not a result anyway.
  const escaped = input.rawBody.replaceAll("\u0000", "\\u0000");
  const header = headerOf(input.rawBody);
  const allowed =
    ctx.allowedIps.length === 0 || (input.sourceIp !== null && ctx.allowedIps.includes(input.sourceIp));
  const keepAll = ref !== null && header !== null && allowed;
  const row = await insertPayoutResult(ctx.db.kysely, {
    route: input.route,
    itemKind: named(input.kind),
    itemId: named(input.id),
    signatureValid: ref !== null,
    conversationId: header?.conversationId ?? null,
    originatorConversationId: header?.originatorConversationId ?? null,
    resultCode: header?.resultCode ?? null,
    sourceIp: input.sourceIp,
    rawBody: keepAll ? escaped : escaped.slice(0, REFUSED_BODY_CHARS),
    bodyBytes: Buffer.byteLength(input.rawBody, "utf8"),
    at: now,
  });
  const refuse = async (error: AppError) => {
    await decidePayoutResult(ctx.db.kysely, row.id, "rejected", error.message, now);
    ctx.logger.warn({ resultId: row.id, route: input.route, sourceIp: input.sourceIp }, error.message);
    throw error;
  };
  if (!allowed)
    return refuse(
      new AppError("CALLBACK_REJECTED", `Source address ${input.sourceIp ?? "unknown"} is not allowed`),
    );
  if (ref === null)
    return refuse(new AppError("CALLBACK_REJECTED", "Result URL signature is missing or invalid"));
  // A queue-timeout notice has no documented shape: it counts whatever it says.
  if (header === null && !input.route.endsWith("_timeout"))
    return refuse(new AppError("VALIDATION_ERROR", 'Malformed result: not a Daraja {"Result":{…}} body'));
  ctx.background.run(processPayoutResult(ctx, row.id));
  return { resultId: row.id };
}
