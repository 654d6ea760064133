/**
 * One POST of a JSON body to a receiver's URL, as Daraja makes its callbacks and result
 * notifications: no redirects followed, bounded by a timeout, the answer read as a short excerpt.
 * Any HTTP status counts as answered (Daraja never retries).
 */
const BODY_EXCERPT_CHARS = 1_000;

export interface PostAnswer {
  status: number;
  bodyExcerpt: string;
}

export async function postJson(
  fetch: typeof globalThis.fetch,
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<PostAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers,
    body,
    redirect: "manual",
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  const text = await response.text();
  return { status: response.status, bodyExcerpt: text.slice(0, BODY_EXCERPT_CHARS) };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
