/**
 * What the payouts and refunds lists share: the page and the status filter kept in the URL (so a
 * reload or a shared link shows the same), loading and refusal states, the filter and the pager.
 */
import { useCallback, useEffect, useState } from "react";
import type { MoneyOutStatus, Page } from "../api/types.ts";
import { MONEY_OUT_STATUSES, type MoneyOutKind, moneyOutStatusWords } from "../lib/money-out-words.ts";
import { navigate, useLocation } from "../router.tsx";

export const PAGE_SIZE = 10;

export interface ListState<T> {
  status: MoneyOutStatus | undefined;
  page: number;
  result: Page<T> | null;
  problem: string | null;
  loading: boolean;
  go(next: { page?: number; status?: MoneyOutStatus | undefined }): void;
  reload(): void;
}

function parseStatus(value: string | null): MoneyOutStatus | undefined {
  return MONEY_OUT_STATUSES.find((status) => status === value);
}

export function useListPage<T>(
  path: string,
  fetchPage: (q: { page: number; limit: number; status: MoneyOutStatus | undefined }) => Promise<Page<T>>,
): ListState<T> {
  const { search } = useLocation();
  const status = parseStatus(search.get("status"));
  const page = Math.max(1, Number.parseInt(search.get("page") ?? "1", 10) || 1);
  const [result, setResult] = useState<Page<T> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` asks for a fresh read
  useEffect(() => {
    let live = true;
    setLoading(true);
    fetchPage({ page, limit: PAGE_SIZE, status })
      .then((next) => {
        if (!live) return;
        setResult(next);
        setProblem(null);
      })
      .catch((error: Error) => live && setProblem(error.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [fetchPage, page, status, generation]);

  const go = useCallback(
    (next: { page?: number; status?: MoneyOutStatus | undefined }) => {
      const params = new URLSearchParams();
      const nextStatus = "status" in next ? next.status : status;
      if (nextStatus) params.set("status", nextStatus);
      if ((next.page ?? 1) > 1) params.set("page", String(next.page));
      const text = params.toString();
      navigate(`${path}${text ? `?${text}` : ""}`);
    },
    [path, status],
  );
  return { status, page, result, problem, loading, go, reload: () => setGeneration((n) => n + 1) };
}

export function StatusFilter({ kind, state }: { kind: MoneyOutKind; state: ListState<unknown> }) {
  return (
    <div className="toolbar">
      <label htmlFor={`${kind}-status`}>Show</label>
      <select
        id={`${kind}-status`}
        value={state.status ?? ""}
        onChange={(event) => state.go({ status: parseStatus(event.target.value), page: 1 })}
      >
        <option value="">All {kind}s</option>
        {MONEY_OUT_STATUSES.map((value) => (
          <option key={value} value={value}>
            {moneyOutStatusWords(kind, value).label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Pager({ state, noun }: { state: ListState<unknown>; noun: string }) {
  const { result, page } = state;
  if (!result || result.pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        className="button button-secondary"
        disabled={page <= 1}
        onClick={() => state.go({ page: page - 1 })}
      >
        ← Previous
      </button>
      <span aria-live="polite">
        Page {result.page} of {result.pages} ({result.total} {noun})
      </span>
      <button
        type="button"
        className="button button-secondary"
        disabled={page >= result.pages}
        onClick={() => state.go({ page: page + 1 })}
      >
        Next →
      </button>
    </nav>
  );
}
