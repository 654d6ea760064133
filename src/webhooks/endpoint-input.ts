/** What an admin may give an endpoint: a URL we may send to, known event types, a short description. */
import { AppError } from "../errors.ts";
import { resolvedHostProblem, urlProblem } from "./address-guard.ts";
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./catalogue.ts";

export const DESCRIPTION_MAX = 200;

export const invalid = (field: string, message: string) =>
  new AppError("VALIDATION_ERROR", `${field} ${message}`, { fields: [{ field, message }] });

export function eventTypesOf(value: readonly string[]): WebhookEventType[] {
  if (value.length === 0) throw invalid("eventTypes", "must name at least one event type");
  const unknown = value.filter((type) => !isWebhookEventType(type));
  if (unknown.length > 0)
    throw invalid(
      "eventTypes",
      `has unknown event types: ${unknown.join(", ")} (known: ${WEBHOOK_EVENT_TYPES.join(", ")})`,
    );
  return [...new Set(value as WebhookEventType[])];
}

export function descriptionOf(value: string | null | undefined): string | null {
  const text = value?.trim() ?? "";
  if (text.length > DESCRIPTION_MAX)
    throw invalid("description", `must be at most ${DESCRIPTION_MAX} characters`);
  return text === "" ? null : text;
}

/** The URL, or WEBHOOK_URL_NOT_ALLOWED saying why it may not be an endpoint. */
export async function checkedUrl(allowPrivate: boolean, url: string): Promise<string> {
  const problem = urlProblem(url, allowPrivate) ?? (allowPrivate ? null : await resolvedHostProblem(url));
  if (problem)
    throw new AppError("WEBHOOK_URL_NOT_ALLOWED", `The endpoint URL ${problem}`, {
      field: "url",
      reason: problem,
    });
  return url;
}
