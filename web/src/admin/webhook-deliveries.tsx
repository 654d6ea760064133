/**
 * One endpoint's deliveries, newest first, with every attempt (status, latency, the start of the
 * answer, the error): resend one, resend everything failed since a time, or send a test event.
 * While a delivery is about to be attempted the list refreshes itself.
 */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { WEBHOOK_EVENT_TYPES } from "../../../src/webhooks/catalogue.ts";
import type { Page } from "../api/types.ts";
import { FormError } from "../components/field.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { formatDateTime } from "../lib/format.ts";
import { AttemptLog, deliveryWords } from "./webhook-attempts.tsx";
import {
  type DeliveryStatus,
  type DeliveryView,
  type EndpointView,
  listDeliveries,
  resendDelivery,
  resendFailed,
  sendTestEvent,
  type WebhookEventType,
} from "./webhooks-api.ts";

const REFRESH_MS = 2_000;

/** Something will happen to it soon: worth looking again. */
const dueSoon = (d: DeliveryView) =>
  d.status === "pending" &&
  d.nextAttemptAt !== null &&
  new Date(d.nextAttemptAt).getTime() - Date.now() < 30_000;

export function WebhookDeliveries({ endpoint, onChange }: { endpoint: EndpointView; onChange: () => void }) {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const [result, setResult] = useState<Page<DeliveryView> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [testType, setTestType] = useState<WebhookEventType>("payment.completed");
  const [since, setSince] = useState("");
  const toast = useToast();

  const load = useCallback(async () => {
    try {
      setResult(await listDeliveries(endpoint.id, page, status || undefined));
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not load the deliveries.");
    }
  }, [endpoint.id, page, status]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!result?.items.some(dueSoon)) return;
    const timer = setTimeout(() => {
      void load();
      onChange();
    }, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [result, load, onChange]);

  const act = async (work: () => Promise<string>) => {
    try {
      toast("success", await work());
      await load();
      onChange();
    } catch (error) {
      toast("danger", error instanceof Error ? error.message : "Something went wrong.");
    }
  };

  const resendSince = (event: FormEvent) => {
    event.preventDefault();
    if (!since) return;
    void act(async () => {
      const count = await resendFailed(endpoint.id, new Date(since).toISOString());
      return count === 0 ? "No failed deliveries since then." : `${count} failed deliveries queued again.`;
    });
  };

  return (
    <section className="panel" aria-labelledby="deliveries-title" data-testid="deliveries">
      <h2 id="deliveries-title">
        Deliveries to <span className="mono">{endpoint.url}</span>
      </h2>
      <div className="toolbar">
        <span className="toolbar-pair">
          <label htmlFor="test-type">Test event</label>
          <select
            id="test-type"
            value={testType}
            onChange={(e) => setTestType(e.target.value as WebhookEventType)}
          >
            {WEBHOOK_EVENT_TYPES.map((type) => (
              <option key={type}>{type}</option>
            ))}
          </select>
        </span>
        <button
          type="button"
          className="button button-secondary"
          disabled={!endpoint.enabled}
          onClick={() =>
            act(async () => `Test ${(await sendTestEvent(endpoint.id, testType)).eventType} queued.`)
          }
        >
          Send test event
        </button>
      </div>
      <form className="toolbar" onSubmit={resendSince}>
        <span className="toolbar-pair">
          <label htmlFor="failed-since">Failed since</label>
          <input
            id="failed-since"
            type="datetime-local"
            value={since}
            onChange={(e) => setSince(e.target.value)}
          />
        </span>
        <button type="submit" className="button button-secondary" disabled={!since}>
          Resend failed
        </button>
        <span className="toolbar-pair">
          <label htmlFor="delivery-status">Show</label>
          <select
            id="delivery-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as DeliveryStatus | "");
              setPage(1);
            }}
          >
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="delivered">Delivered</option>
            <option value="failed">Failed</option>
          </select>
        </span>
      </form>
      <FormError message={problem} />
      {result?.items.length === 0 && <p className="muted">No deliveries yet.</p>}
      {result && result.items.length > 0 && (
        <table className="table" data-testid="delivery-log">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((d) => (
              <tr key={d.id} data-status={d.status} data-delivery={d.id}>
                <td data-label="Event" className="mono">
                  <div>
                    {d.eventType}
                    <div className="muted">{d.eventId}</div>
                  </div>
                </td>
                <td data-label="Status">
                  <StatusBadge words={deliveryWords(d.status)} />
                </td>
                <td data-label="Attempts">
                  <AttemptLog delivery={d} />
                </td>
                <td data-label="Next attempt">{formatDateTime(d.nextAttemptAt)}</td>
                <td data-label="Actions">
                  <button
                    type="button"
                    className="button button-secondary"
                    aria-label={`Resend ${d.eventType} ${d.eventId}`}
                    onClick={() =>
                      act(async () => {
                        await resendDelivery(d.id);
                        return "Queued to send again.";
                      })
                    }
                  >
                    Resend
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result && result.pages > 1 && (
        <nav className="pager" aria-label="Delivery pages">
          <button
            type="button"
            className="button button-secondary"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            ← Previous
          </button>
          <span aria-live="polite">
            Page {result.page} of {result.pages} ({result.total} deliveries)
          </span>
          <button
            type="button"
            className="button button-secondary"
            disabled={page >= result.pages}
            onClick={() => setPage(page + 1)}
          >
            Next →
          </button>
        </nav>
      )}
    </section>
  );
}
