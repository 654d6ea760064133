/**
 * Uploading a statement: the file exported from the M-Pesa portal (sent as it is, its text as the
 * body) and the period it covers. The answer is the run — new, or the one this same statement made
 * before (nothing changes then) — or why the file cannot be read, naming its line.
 */
import { type FormEvent, useState } from "react";
import { ApiError } from "../api/client.ts";
import { Field, FormError } from "../components/field.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { balanceVerdict } from "../lib/reconciliation-words.ts";
import { Link } from "../router.tsx";
import { importStatement, type RunDetail } from "./reconciliation-api.ts";

/** The server refuses more (STATEMENT_UPLOAD_MAX_MB, 10 MB by default); this saves sending it. */
const MAX_BYTES = 10 * 1024 * 1024;

type Imported = RunDetail & { created: boolean };

export function StatementUpload({ onImported }: { onImported: (imported: Imported) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [periodProblem, setPeriodProblem] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [imported, setImported] = useState<Imported | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setImported(null);
    const noFile = !file
      ? "Choose the statement file."
      : file.size > MAX_BYTES
        ? "The file is over 10 MB."
        : null;
    const badPeriod = Boolean(from) !== Boolean(to) ? "Give both dates, or neither." : null;
    setFileProblem(noFile);
    setPeriodProblem(badPeriod);
    if (!file || noFile || badPeriod) {
      document.getElementById(noFile ? "statement-file" : from ? "statement-to" : "statement-from")?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await importStatement(await file.text(), from && to ? { from, to } : null);
      setImported(result);
      onImported(result);
    } catch (error) {
      const message = error instanceof Error ? error.message : "Could not import the statement.";
      if (error instanceof ApiError && ["STATEMENT_INVALID", "PAYLOAD_TOO_LARGE"].includes(error.code))
        setFileProblem(message);
      else if (error instanceof ApiError && error.code === "VALIDATION_ERROR") setPeriodProblem(message);
      else setProblem(message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel stack" onSubmit={submit} aria-labelledby="upload-title" noValidate>
      <h2 id="upload-title">Reconcile a statement</h2>
      <Field
        id="statement-file"
        label="Statement (CSV)"
        hint="The Utility Account statement exported from the M-Pesa organisation portal, as exported."
        error={fileProblem}
      >
        {(control) => (
          <input
            {...control}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setFileProblem(null);
            }}
          />
        )}
      </Field>
      <fieldset className="field">
        <legend>Period the export covers (recommended)</legend>
        <p className="field-hint" id="statement-period-hint">
          Without it, only the statement's first to last line is compared with our books.
        </p>
        <div className="toolbar">
          <span className="toolbar-pair">
            <label htmlFor="statement-from">From</label>
            <input
              id="statement-from"
              type="date"
              value={from}
              aria-describedby="statement-period-hint"
              aria-invalid={Boolean(periodProblem)}
              onChange={(e) => setFrom(e.target.value)}
            />
          </span>
          <span className="toolbar-pair">
            <label htmlFor="statement-to">To</label>
            <input
              id="statement-to"
              type="date"
              value={to}
              aria-describedby="statement-period-hint"
              aria-invalid={Boolean(periodProblem)}
              onChange={(e) => setTo(e.target.value)}
            />
          </span>
        </div>
        {periodProblem && (
          <p className="field-error">
            <ToneIcon tone="warning" />
            {periodProblem}
          </p>
        )}
      </fieldset>
      <FormError message={problem} />
      <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
        {busy ? "Reconciling…" : "Reconcile statement"}
      </button>
      {imported && <ImportedNotice imported={imported} />}
    </form>
  );
}

function ImportedNotice({ imported }: { imported: Imported }) {
  const { run, created } = imported;
  const found = run.discrepancies.total;
  return (
    <div className="notice" role="status" data-testid="import-result">
      <ToneIcon tone={created ? "success" : "neutral"} />
      <div>
        <p>
          <strong>
            {created
              ? `Imported: ${run.lines} lines read, ${found} ${found === 1 ? "difference" : "differences"} found.`
              : "Already imported: this statement was reconciled before, and nothing changed."}
          </strong>
        </p>
        <p className="badges">
          <StatusBadge words={balanceVerdict(run)} />
          <Link to={`/admin/reconciliations/${run.id}`}>See the run</Link>
        </p>
      </div>
    </div>
  );
}
