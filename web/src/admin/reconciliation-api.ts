/**
 * The admin reconciliation routes these pages call: import a statement (the file's text as the
 * body), runs and their discrepancies, the discrepancies as a CSV file, the decisions on a
 * discrepancy, and the Account Balance API. Types come from the server's own views
 * (src/reconciliation/views.ts), so the pages and the API cannot drift apart.
 */
import type {
  BalanceCheckView,
  DiscrepancyAction,
  ReconciliationDiscrepancy,
  ReconciliationRunView,
} from "../../../src/reconciliation/views.ts";
import { apiRequest, apiResponse } from "../api/client.ts";
import type { Page } from "../api/types.ts";

export type { BalanceCheckView, DiscrepancyAction, ReconciliationDiscrepancy, ReconciliationRunView };

export interface RunDetail {
  run: ReconciliationRunView;
  discrepancies: ReconciliationDiscrepancy[];
}

interface Data<T> {
  success: true;
  data: T;
}

const BASE = "/admin/reconciliations";
const id = (value: string) => encodeURIComponent(value);

/** `created` false: this statement was imported before, and its run is answered as it was. */
export async function importStatement(
  text: string,
  period: { from: string; to: string } | null,
): Promise<RunDetail & { created: boolean }> {
  const query = period ? `?${new URLSearchParams(period)}` : "";
  const response = await apiResponse(`${BASE}${query}`, {
    method: "POST",
    content: { type: "text/csv", text },
  });
  const body = (await response.json()) as Data<RunDetail>;
  return { ...body.data, created: response.status === 201 };
}

export async function listRuns(page: number, limit = 10): Promise<Page<ReconciliationRunView>> {
  const search = new URLSearchParams({ page: String(page), limit: String(limit) });
  const body = await apiRequest<{
    count: number;
    total: number;
    page: number;
    pages: number;
    runs: ReconciliationRunView[];
  }>(`${BASE}?${search}`);
  return { count: body.count, total: body.total, page: body.page, pages: body.pages, items: body.runs };
}

export async function fetchRun(runId: string): Promise<RunDetail> {
  return (await apiRequest<Data<RunDetail>>(`${BASE}/${id(runId)}`)).data;
}

/** Fetched with the session's token (a plain link would carry none), then saved as a file. */
export async function downloadDiscrepanciesCsv(runId: string): Promise<string> {
  const response = await apiResponse(`${BASE}/${id(runId)}/discrepancies.csv`, {
    headers: { Accept: "text/csv" },
  });
  const named = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "");
  const filename = named?.[1] ?? `discrepancies-${runId}.csv`;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the file over to the browser.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
  return filename;
}

export interface DecisionInput {
  note: string;
  bookingId?: string;
}

export async function decideDiscrepancy(
  discrepancyId: string,
  action: DiscrepancyAction,
  input: DecisionInput,
): Promise<ReconciliationDiscrepancy> {
  const path = `${BASE}/discrepancies/${id(discrepancyId)}/${action}`;
  return (
    await apiRequest<Data<{ discrepancy: ReconciliationDiscrepancy }>>(path, { method: "POST", body: input })
  ).data.discrepancy;
}

export async function latestBalance(): Promise<BalanceCheckView | null> {
  return (await apiRequest<Data<{ check: BalanceCheckView | null }>>(`${BASE}/balance`)).data.check;
}

export async function requestBalance(): Promise<BalanceCheckView> {
  return (await apiRequest<Data<{ check: BalanceCheckView }>>(`${BASE}/balance`, { method: "POST" })).data
    .check;
}
