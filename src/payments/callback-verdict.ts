/** A callback's verdict, recorded once, counted and logged. */
import type { CallbackVerdict } from "../db/schema.ts";
import { countCallback } from "../metrics.ts";
import { decideCallback } from "./callback.repository.ts";
import type { PaymentsContext } from "./context.ts";

/** Records the verdict once (only a row still `received` changes), counts and logs it. */
export async function decideCallbackVerdict(
  ctx: PaymentsContext,
  id: string,
  verdict: Exclude<CallbackVerdict, "received">,
  reason: string | null,
): Promise<CallbackVerdict> {
  if (await decideCallback(ctx.db.kysely, id, verdict, reason, ctx.clock.now()))
    noteVerdict(ctx, id, verdict, reason);
  return verdict;
}

/** Counts and logs a verdict just recorded. */
export function noteVerdict(
  ctx: PaymentsContext,
  id: string,
  verdict: CallbackVerdict,
  reason: string | null,
): void {
  if (ctx.metrics) countCallback(ctx.metrics, verdict);
  const log = verdict === "rejected" ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
  log({ callbackId: id, verdict, reason }, `callback ${verdict}`);
}
