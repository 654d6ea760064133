/**
 * The statement's own opening and closing balance (PURE), from its `Balance` column: the balance
 * after the latest line, and the balance after the earliest line less what that line moved. Exports
 * list lines newest first or oldest first; lines of one second keep their file order, read in the
 * direction the running balance follows. Lines without a balance (a charge taken from another
 * account) are passed over; null when no line has one (the export has no such column).
 */
import { isCompleted } from "./line-facts.ts";
import type { StatementLine } from "./statement.ts";

const moved = (l: StatementLine) => (isCompleted(l) ? l.paidInCents - l.withdrawnCents : 0);

/** Oldest first: by time, lines of one second in the file's order read forwards (1) or backwards (-1). */
function chronological(inFile: StatementLine[], direction: 1 | -1): StatementLine[] {
  return inFile
    .map((line, index) => ({ line, index: index * direction }))
    .sort((a, b) => Date.parse(a.line.completedAt) - Date.parse(b.line.completedAt) || a.index - b.index)
    .map((x) => x.line);
}

/** How many lines follow from the one before by the running balance. */
function chained(ordered: StatementLine[]): number {
  let n = 0;
  for (let i = 1; i < ordered.length; i++)
    if ((ordered[i - 1]?.balanceCents ?? 0) + moved(ordered[i] as StatementLine) === ordered[i]?.balanceCents)
      n++;
  return n;
}

export function statementBalances(lines: readonly StatementLine[]): {
  openingCents: number | null;
  closingCents: number | null;
} {
  const inFile = lines.filter((l) => l.balanceCents !== null).sort((a, b) => a.lineNumber - b.lineNumber);
  if (inFile.length === 0) return { openingCents: null, closingCents: null };
  // Which way the file runs: the running balance says, even when every line has the same second.
  const forwards = chronological(inFile, 1);
  const backwards = chronological(inFile, -1);
  const ordered = chained(backwards) > chained(forwards) ? backwards : forwards;
  const earliest = ordered[0] as StatementLine;
  const latest = ordered[ordered.length - 1] as StatementLine;
  return {
    openingCents: (earliest.balanceCents as number) - moved(earliest),
    closingCents: latest.balanceCents,
  };
}
