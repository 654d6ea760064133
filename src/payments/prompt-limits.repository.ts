/**
 * What the prompt limits count (`prompt-limits.ts`), each one statement on an index of
 * payment_transactions: by account and time, by phone and time, and who has paid from a phone.
 */
import { compiledQuery } from "../db/compiled-query.ts";
import type { Executor } from "../db/schema.ts";

const promptsByAccount = compiledQuery((executor, a: { userId: string; phone: string; since: string }) =>
  executor
    .selectFrom("payment_transactions")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("user_id", "=", a.userId)
    .where("phone_number", "=", a.phone)
    .where("created_at", ">=", a.since),
);

/** Attempts one account started for one phone since `since`. */
export async function countPromptsByAccount(
  executor: Executor,
  userId: string,
  phone: string,
  since: Date,
): Promise<number> {
  const { rows } = await promptsByAccount(executor, { userId, phone, since: since.toISOString() });
  return Number(rows[0]?.n ?? 0);
}

const phonesOf = compiledQuery((executor, a: { userId: string; since: string }) =>
  executor
    .selectFrom("payment_transactions")
    .select("phone_number")
    .distinct()
    .where("user_id", "=", a.userId)
    .where("created_at", ">=", a.since),
);

/** The different phones one account prompted since `since`. */
export async function phonesPromptedBy(executor: Executor, userId: string, since: Date): Promise<string[]> {
  const { rows } = await phonesOf(executor, { userId, since: since.toISOString() });
  return rows.map((r) => r.phone_number);
}

const strangerPrompts = compiledQuery((executor, a: { phone: string; since: string }) =>
  executor
    .selectFrom("payment_transactions as t")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("t.phone_number", "=", a.phone)
    .where("t.created_at", ">=", a.since)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("payment_transactions as p")
            .select("p.id")
            .whereRef("p.user_id", "=", "t.user_id")
            .where("p.phone_number", "=", a.phone)
            .where("p.paid_amount", "is not", null),
        ),
      ),
    ),
);

/** Attempts for a phone since `since` by accounts that have never paid from it. */
export async function countStrangerPrompts(executor: Executor, phone: string, since: Date): Promise<number> {
  const { rows } = await strangerPrompts(executor, { phone, since: since.toISOString() });
  return Number(rows[0]?.n ?? 0);
}

const paidFrom = compiledQuery((executor, a: { userId: string; phone: string }) =>
  executor
    .selectFrom("payment_transactions")
    .select("id")
    .where("user_id", "=", a.userId)
    .where("phone_number", "=", a.phone)
    .where("paid_amount", "is not", null)
    .limit(1),
);

/** True when this account has paid from this phone before (the PIN was entered on it). */
export async function hasPaidFrom(executor: Executor, userId: string, phone: string): Promise<boolean> {
  return (await paidFrom(executor, { userId, phone })).rows.length > 0;
}
