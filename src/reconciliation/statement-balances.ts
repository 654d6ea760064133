/**
 * The statement's own opening and closing balance (PURE), from its `Balance` column: the balance
 * after the latest line, and the balance after the earliest line less what that line moved. Exports
 * list lines newest first or oldest first; lines of one second keep their file order, read in the
 * file's direction. Null when any line has no balance (the export has no such column).
 */
import { isCompleted } from "./line-facts.ts";
import type { StatementLine } from "./statement.ts";

export function statementBalances(lines: readonly StatementLine[]): {
  openingCents: number | null;
  closingCents: number | null;
} {
  const none = { openingCents: null, closingCents: null };
  if (lines.length === 0 || lines.some((l) => l.balanceCents === null)) return none;
  const inFile = [...lines].sort((a, b) => a.lineNumber - b.lineNumber);
  const first = inFile[0] as StatementLine;
  const last = inFile[inFile.length - 1] as StatementLine;
  const newestFirst = Date.parse(first.completedAt) > Date.parse(last.completedAt);
  const ordered = inFile
    .map((line, index) => ({ line, index: newestFirst ? -index : index }))
    .sort((a, b) => Date.parse(a.line.completedAt) - Date.parse(b.line.completedAt) || a.index - b.index)
    .map((x) => x.line);
  const earliest = ordered[0] as StatementLine;
  const latest = ordered[ordered.length - 1] as StatementLine;
  const moved = isCompleted(earliest) ? earliest.paidInCents - earliest.withdrawnCents : 0;
  return { openingCents: (earliest.balanceCents as number) - moved, closingCents: latest.balanceCents };
}
