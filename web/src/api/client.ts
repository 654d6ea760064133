/**
 * fetch for Malipo's API: JSON in and out (or a file's text in, a download out), the session's bearer
 * token, and the error envelope `{ success: false, error: { code, message, details } }` turned into
 * an ApiError.
 */
import { getSession, signOut } from "../session.ts";

export const API_BASE = "/api/v1";

/** The API answered with its error envelope (or an unreadable error). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.name = "ApiError";
  }
}

/** No answer at all: the request may or may not have reached the server. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("Could not reach Malipo. Check your connection and try again.", { cause });
    this.name = "NetworkError";
  }
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the session token (default true). */
  auth?: boolean;
  /** A body sent as it is (a file's text) with its type, instead of `body` as JSON. */
  content?: { type: string; text: string };
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await apiResponse(path, options);
  return (await response.json().catch(() => null)) as T;
}

/** The answer itself when it is a success (its status, a file to download); an ApiError otherwise. */
export async function apiResponse(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  const session = options.auth === false ? null : getSession();
  if (session) headers.Authorization = `Bearer ${session.token}`;
  const { content } = options;
  if (content) headers["Content-Type"] = content.type;
  else if (options.body !== undefined) headers["Content-Type"] = "application/json";

  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method: options.method ?? "GET",
      headers,
      body: content ? content.text : options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new NetworkError(error);
  }

  if (response.ok) return response;
  const payload: unknown = await response.json().catch(() => null);

  const envelope = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)
    ?.error;
  const code = typeof envelope?.code === "string" ? envelope.code : `HTTP_${response.status}`;
  const message =
    typeof envelope?.message === "string" ? envelope.message : "Something went wrong. Please try again.";
  // A token the server no longer accepts (expired, secret rotated): start over at sign-in.
  if (response.status === 401 && session && code !== "INVALID_CREDENTIALS") signOut();
  throw new ApiError(response.status, code, message, envelope?.details);
}
