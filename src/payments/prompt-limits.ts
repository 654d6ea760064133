/**
 * Who may send M-Pesa prompts to which phone (src/payments/README.md, "Prompt limits"). A prompt
 * locks the phone at Daraja for about a minute and interrupts its owner, so one account must not be
 * able to flood someone else's phone, nor keep it locked, nor use up the phone's owner's own
 * chances to pay. Counted in the database, so the limits hold across processes.
 */
import { AppError } from "../errors.ts";
import type { PaymentsContext } from "./context.ts";
import {
  countPromptsByAccount,
  countStrangerPrompts,
  hasPaidFrom,
  phonesPromptedBy,
} from "./prompt-limits.repository.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Throws RATE_LIMITED when `userId` may not send a prompt to `phone` now. */
export async function checkPromptLimits(ctx: PaymentsContext, userId: string, phone: string): Promise<void> {
  const executor = ctx.db.kysely;
  const now = ctx.clock.now().getTime();
  const { timings } = ctx;
  const lastMinute = new Date(now - MINUTE);
  const lastDay = new Date(now - DAY);

  if ((await countPromptsByAccount(executor, userId, phone, lastMinute)) >= timings.promptsPerPhonePerMinute)
    throw limited("Too many payment requests to this phone; wait a minute and try again", 60);

  const phones = await phonesPromptedBy(executor, userId, lastDay);
  if (!phones.includes(phone) && phones.length >= timings.phonesPerAccountPerDay)
    throw limited(
      `Payment requests go to at most ${timings.phonesPerAccountPerDay} different phone numbers a day; use one of those, or try again tomorrow`,
      DAY / 1000,
    );

  if (
    !(await hasPaidFrom(executor, userId, phone)) &&
    (await countStrangerPrompts(executor, phone, lastDay)) >= timings.strangerPromptsPerPhonePerDay
  )
    throw limited(
      "This phone has had too many payment requests today; pay from a number you have paid from before, or try again tomorrow",
      DAY / 1000,
    );
}

function limited(message: string, retryAfterSeconds: number): AppError {
  return new AppError("RATE_LIMITED", message, { retryAfterSeconds });
}
