/**
 * What statement reconciliation found, on the review queue: one section per kind of discrepancy
 * (money on the statement and not in our books first: the dangerous one), each item with its
 * facts from the statement line and our records, what to do, and the decisions its actions allow.
 */
import type { ReactNode } from "react";
import {
  discrepancyTitle,
  formatCents,
  KIND_SECTIONS,
  kindAdvice,
  kindWords,
} from "../lib/reconciliation-words.ts";
import { type Decision, discrepancyDecisions } from "../lib/review-words.ts";
import { Link } from "../router.tsx";
import type { ReconciliationDiscrepancy } from "./reconciliation-api.ts";
import { Item, mono, ReviewSection, since } from "./review-items.tsx";

export function DiscrepancySections(props: {
  discrepancies: ReconciliationDiscrepancy[];
  total: number;
  now: number;
  onDecide: (decision: Decision) => void;
}) {
  const { discrepancies, total } = props;
  return (
    <>
      {discrepancies.length < total && (
        <p className="muted">
          The oldest {discrepancies.length} of {total} statement differences; the rest appear here as these
          are decided.
        </p>
      )}
      {KIND_SECTIONS.map(({ kind, title }) => {
        const items = discrepancies.filter((d) => d.kind === kind);
        return (
          <ReviewSection
            key={kind}
            id={`review-${kind.replaceAll("_", "-")}`}
            title={title}
            shown={items.length}
            total={items.length}
          >
            {items.map((d) => (
              <DiscrepancyItem key={d.id} discrepancy={d} now={props.now} onDecide={props.onDecide} />
            ))}
          </ReviewSection>
        );
      })}
    </>
  );
}

export function DiscrepancyItem({
  discrepancy: d,
  now,
  onDecide,
}: {
  discrepancy: ReconciliationDiscrepancy;
  now: number;
  onDecide: (decision: Decision) => void;
}) {
  const facts: [string, ReactNode][] = [
    ["What", kindWords(d)],
    ["Amount", <strong key="amount">{formatCents(d.amountCents)}</strong>],
    ["Receipt", mono(d.receipt)],
  ];
  if (d.otherParty) facts.push(["Other party", d.otherParty]);
  if (d.accountNumber) facts.push(["Account", mono(d.accountNumber)]);
  if (d.lineNumber !== null)
    facts.push([
      "Statement",
      <Link key="line" to={`/admin/reconciliations/${d.runId}`}>
        Line {d.lineNumber} of the run
      </Link>,
    ]);
  if (d.recordId) facts.push(["Our record", mono(`${d.recordType ?? "record"} ${d.recordId}`)]);
  if (d.candidateTransactionId) facts.push(["Probable attempt", mono(d.candidateTransactionId)]);
  facts.push(["Why", d.detail], ["Found", since(d.createdAt, now)]);
  return (
    <Item
      kind="discrepancy"
      id={d.id}
      title={discrepancyTitle(d)}
      facts={facts}
      decisions={discrepancyDecisions(d)}
      onDecide={onDecide}
    >
      <p className="muted">{kindAdvice(d)}</p>
    </Item>
  );
}
