/**
 * The check every hostile-input suite makes of a refusal: the error envelope
 * `{ success: false, error: { code, message } }`, with a known code whose status is the answer's.
 */
import { ERROR_STATUS, type ErrorCode } from "../../src/errors.ts";

/** What is wrong with an error answer (status ≥ 400), or null when it is the envelope of its code. */
export function envelopeProblem(res: { statusCode: number; body: string }): string | null {
  let body: { success?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(res.body);
  } catch {
    return `answered ${res.statusCode} with a body that is not JSON: ${res.body.slice(0, 80)}`;
  }
  const code = body.error?.code;
  if (body.success !== false || typeof code !== "string" || typeof body.error?.message !== "string")
    return `answered ${res.statusCode} without the envelope: ${res.body.slice(0, 120)}`;
  if (!(code in ERROR_STATUS)) return `unknown error code ${code}`;
  if (ERROR_STATUS[code as ErrorCode] !== res.statusCode)
    return `code ${code} is ${ERROR_STATUS[code as ErrorCode]}, answered ${res.statusCode}`;
  return null;
}

/** The error code of an envelope answer, or null when the body is not one. */
export function errorCodeOf(res: { body: string }): string | null {
  try {
    const code = (JSON.parse(res.body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : null;
  } catch {
    return null;
  }
}
