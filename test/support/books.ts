/**
 * After every test that moves money the books balance: the ledger itself (every transfer two
 * entries, all entries sum to zero) and the liability accounts against the rows (src/ledger/books.ts).
 */
import type { Executor } from "../../src/db/schema.ts";
import { booksProblems } from "../../src/ledger/books.ts";
import { assertLedgerBalanced } from "../../src/ledger/ledger.ts";

export { booksProblems };

/** The ledger balances and agrees with the rows; throws listing every disagreement. */
export async function assertBooksBalanced(executor: Executor): Promise<void> {
  await assertLedgerBalanced(executor);
  const problems = await booksProblems(executor);
  if (problems.length > 0) throw new Error(`The books disagree with the rows:\n  ${problems.join("\n  ")}`);
}
