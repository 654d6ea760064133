/**
 * Webhooks for admins: the endpoints the platform's services listen on (add, enable or disable,
 * rotate the secret), and for the one chosen its deliveries (webhook-deliveries.tsx). A new secret
 * is shown once, right after it is made, and never again.
 */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { WEBHOOK_EVENT_TYPES } from "../../../src/webhooks/catalogue.ts";
import { ApiError } from "../api/client.ts";
import { Field, FormError } from "../components/field.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { WebhookDeliveries } from "./webhook-deliveries.tsx";
import {
  createEndpoint,
  type EndpointView,
  listEndpoints,
  rotateSecret,
  setEnabled,
  type WebhookEventType,
  type WithSecret,
} from "./webhooks-api.ts";

const message = (error: unknown) => (error instanceof Error ? error.message : "Something went wrong.");

export default function AdminWebhooksPage() {
  const [endpoints, setEndpoints] = useState<EndpointView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [secret, setSecret] = useState<(WithSecret & { rotated: boolean }) | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const toast = useToast();

  const load = useCallback(async () => {
    try {
      setEndpoints(await listEndpoints());
      setProblem(null);
    } catch (error) {
      setProblem(message(error));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (work: () => Promise<void>) => {
    try {
      await work();
      await load();
    } catch (error) {
      toast("danger", message(error));
    }
  };
  const chosen = endpoints?.find((e) => e.id === selected) ?? null;

  return (
    <section>
      <h1 tabIndex={-1}>Webhooks</h1>
      <p className="muted">
        Signed events to the platform's services. How receivers verify them: docs/webhooks.md.
      </p>
      {secret && <SecretNotice shown={secret} onDone={() => setSecret(null)} />}
      <NewEndpoint
        onCreated={async (created) => {
          setSecret({ ...created, rotated: false });
          setSelected(created.endpoint.id);
          await load();
        }}
      />
      <FormError message={problem} />
      <section className="panel" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        {endpoints === null && !problem && <p className="loading">Loading…</p>}
        {endpoints?.length === 0 && <p className="muted">No endpoints yet.</p>}
        {endpoints && endpoints.length > 0 && (
          <table className="table" data-testid="endpoints">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">State</th>
                <th scope="col">Deliveries</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.map((e) => (
                <tr key={e.id} data-endpoint={e.id}>
                  <td data-label="URL">
                    {/* One block: on a phone each cell is a label/value grid. */}
                    <div>
                      <span className="mono">{e.url}</span>
                      {e.description && <div className="muted">{e.description}</div>}
                    </div>
                  </td>
                  <td data-label="Events" className="mono">
                    {e.eventTypes.length === WEBHOOK_EVENT_TYPES.length ? "All" : e.eventTypes.join(", ")}
                  </td>
                  <td data-label="State">
                    <StatusBadge
                      words={
                        e.enabled
                          ? { label: "Enabled", tone: "success" }
                          : { label: "Disabled", tone: "neutral" }
                      }
                    />
                  </td>
                  <td data-label="Deliveries">
                    {e.deliveries.delivered} delivered, {e.deliveries.pending} pending, {e.deliveries.failed}{" "}
                    failed
                  </td>
                  <td data-label="Actions">
                    <span className="badges">
                      <button
                        type="button"
                        className="button button-secondary"
                        onClick={() => setSelected(e.id)}
                        aria-label={`Deliveries to ${e.url}`}
                      >
                        Deliveries
                      </button>
                      <button
                        type="button"
                        className="button button-secondary"
                        onClick={() => act(async () => void (await setEnabled(e.id, !e.enabled)))}
                      >
                        {e.enabled ? "Disable" : "Enable"}
                      </button>
                      <button
                        type="button"
                        className="button button-secondary"
                        onClick={() =>
                          act(async () => setSecret({ ...(await rotateSecret(e.id)), rotated: true }))
                        }
                      >
                        Rotate secret
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {chosen && <WebhookDeliveries key={chosen.id} endpoint={chosen} onChange={load} />}
    </section>
  );
}

function SecretNotice({ shown, onDone }: { shown: WithSecret & { rotated: boolean }; onDone: () => void }) {
  const overlap = shown.endpoint.previousSecretExpiresAt;
  return (
    <section className="panel" aria-labelledby="secret-title" role="status" data-testid="secret-notice">
      <h2 id="secret-title">{shown.rotated ? "New signing secret" : "Signing secret"}</h2>
      <p>
        For <span className="mono">{shown.endpoint.url}</span>. Store it with the receiver now: it is not
        shown again.
        {overlap && ` The old secret keeps signing until ${new Date(overlap).toLocaleString("en-KE")}.`}
      </p>
      <p className="mono" data-testid="secret">
        {shown.secret}
      </p>
      <button type="button" className="button button-secondary" onClick={onDone}>
        I have stored it
      </button>
    </section>
  );
}

function NewEndpoint({ onCreated }: { onCreated: (created: WithSecret) => Promise<void> }) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [types, setTypes] = useState<Set<WebhookEventType>>(() => new Set(WEBHOOK_EVENT_TYPES));
  const [urlError, setUrlError] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setUrlError(null);
    setProblem(null);
    if (types.size === 0) return setProblem("Choose at least one event.");
    setBusy(true);
    try {
      const created = await createEndpoint({
        url: url.trim(),
        eventTypes: WEBHOOK_EVENT_TYPES.filter((t) => types.has(t)),
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setUrl("");
      setDescription("");
      await onCreated(created);
    } catch (error) {
      if (error instanceof ApiError && (error.code === "WEBHOOK_URL_NOT_ALLOWED" || error.status === 400))
        setUrlError(error.message);
      else setProblem(message(error));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (type: WebhookEventType) =>
    setTypes((current) => {
      const next = new Set(current);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });

  return (
    <form className="panel stack" onSubmit={submit} aria-labelledby="new-endpoint-title" noValidate>
      <h2 id="new-endpoint-title">Add an endpoint</h2>
      <Field id="endpoint-url" label="URL" hint="https://… on the receiving service" error={urlError}>
        {(control) => (
          <input {...control} type="url" value={url} onChange={(e) => setUrl(e.target.value)} required />
        )}
      </Field>
      <Field id="endpoint-description" label="Description (optional)">
        {(control) => (
          <input
            {...control}
            value={description}
            maxLength={200}
            onChange={(e) => setDescription(e.target.value)}
          />
        )}
      </Field>
      <fieldset className="field">
        <legend>Events</legend>
        <div className="choices">
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type} className="choice">
              <input type="checkbox" checked={types.has(type)} onChange={() => toggle(type)} />
              <span className="mono">{type}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <FormError message={problem} />
      <button type="submit" className="button button-primary" disabled={busy}>
        Add endpoint
      </button>
    </form>
  );
}
