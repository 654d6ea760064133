/** A delivery's status in words, and its attempts (when, how each ended, the answer's start). */
import { formatDateTime } from "../lib/format.ts";
import type { StatusWords } from "../lib/words.ts";
import type { DeliveryStatus, DeliveryView } from "./webhooks-api.ts";

export function deliveryWords(status: DeliveryStatus): StatusWords {
  switch (status) {
    case "pending":
      return { label: "Pending", tone: "waiting" };
    case "delivered":
      return { label: "Delivered", tone: "success" };
    case "failed":
      return { label: "Failed", tone: "danger" };
    default: {
      const _exhaustive: never = status;
      return { label: String(_exhaustive), tone: "neutral" };
    }
  }
}

export function AttemptLog({ delivery }: { delivery: DeliveryView }) {
  if (delivery.log.length === 0) return <span className="muted">none yet</span>;
  return (
    <details>
      <summary>
        {delivery.attempts} {delivery.attempts === 1 ? "attempt" : "attempts"}
        {delivery.lastStatusCode !== null ? `, last ${delivery.lastStatusCode}` : ""}
      </summary>
      <ol className="attempts">
        {delivery.log.map((a) => (
          <li key={a.attempt} className="attempt">
            <p>
              {formatDateTime(a.startedAt)}: {a.outcome.replace("_", " ")}
              {a.statusCode !== null && ` ${a.statusCode}`} in {a.latencyMs} ms
            </p>
            {a.error && <p className="muted">{a.error}</p>}
            {a.responseExcerpt && <p className="mono muted">{a.responseExcerpt}</p>}
          </li>
        ))}
      </ol>
    </details>
  );
}
