/**
 * The one error envelope every failure answers with:
 * `{ success: false, error: { code, message, details? } }`, status from the code.
 * Our AppErrors keep their code; framework errors (validation, bad JSON, body too large, wrong
 * content type, rate limit, bad token) map to their stable codes; anything else is a 500 INTERNAL
 * whose cause is logged with the request id and never sent to the client.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type ErrorCode } from "../errors.ts";

export interface ErrorBody {
  success: false;
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function errorBody(error: AppError): ErrorBody {
  return {
    success: false,
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}

/** Sends an AppError as the envelope (for handlers that answer directly instead of throwing). */
export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  // A refusal that says when to come back says it in the header too (429, 503).
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === "number" && Number.isFinite(retryAfter) && !reply.hasHeader("retry-after"))
    reply.header("retry-after", String(Math.max(1, Math.ceil(retryAfter))));
  return reply.code(error.status).type("application/json; charset=utf-8").send(errorBody(error));
}

interface ValidationIssue {
  instancePath?: string;
  schemaPath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

interface FieldProblem {
  field: string;
  in: string;
  message: string;
}

/**
 * `{ fields: [{ field, in, message }] }` from a validation error (TypeBox's or Ajv's issue list),
 * one entry per field: a union's branch errors collapse into "must be string or null".
 */
function validationDetails(error: FastifyError): { fields: FieldProblem[] } {
  const where = error.validationContext ?? "body";
  const issues = (error.validation ?? []) as ValidationIssue[];
  const byField = new Map<string, { messages: string[]; unionTypes: string[]; isUnion: boolean }>();
  for (const issue of issues) {
    const path = (issue.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
    const required = issue.params?.requiredProperties ?? issue.params?.missingProperty;
    const names = Array.isArray(required)
      ? required.map(String)
      : typeof required === "string"
        ? [required]
        : [""];
    for (const name of names) {
      const field = [path, name].filter(Boolean).join(".") || where;
      const entry = byField.get(field) ?? { messages: [], unionTypes: [], isUnion: false };
      if (issue.keyword === "anyOf") entry.isUnion = true;
      else if (issue.schemaPath?.includes("/anyOf/") && typeof issue.params?.type === "string")
        entry.unionTypes.push(issue.params.type);
      else if (issue.keyword === "required") entry.messages.push("is required");
      else {
        const allowed = issue.keyword === "enum" ? issue.params?.allowedValues : undefined;
        entry.messages.push(
          `${issue.message ?? "is invalid"}${Array.isArray(allowed) ? `: ${allowed.join(", ")}` : ""}`,
        );
      }
      byField.set(field, entry);
    }
  }
  const fields = [...byField.entries()].map(([field, entry]) => ({
    field,
    in: where,
    message:
      entry.messages[0] ??
      (entry.unionTypes.length > 0 ? `must be ${entry.unionTypes.join(" or ")}` : "is invalid"),
  }));
  return { fields };
}

function fromFrameworkError(error: FastifyError): AppError | null {
  if (error.validation) {
    const details = validationDetails(error);
    const first = details.fields[0];
    return new AppError(
      "VALIDATION_ERROR",
      first ? `Invalid request: ${first.field} ${first.message}` : "Invalid request",
      { ...details },
    );
  }
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new AppError("VALIDATION_ERROR", "The request body is not valid JSON");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new AppError("VALIDATION_ERROR", "The request body is empty; send a JSON object");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("VALIDATION_ERROR", "Content-Length does not match the body");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("PAYLOAD_TOO_LARGE", "The request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
    case "FST_ERR_BAD_URL":
      return new AppError("VALIDATION_ERROR", "The URL is not valid (check its percent-encoding)");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new AppError(
        "VALIDATION_ERROR",
        "A part of the URL is too long; ids are at most 100 characters",
      );
    default:
      break;
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) return null;
  switch (status) {
    case 401:
      return new AppError("UNAUTHORIZED", "Sign in: send Authorization: Bearer <token>");
    case 403:
      return new AppError("FORBIDDEN", "You are not allowed to do this");
    case 404:
      return new AppError("NOT_FOUND", "Not found");
    case 413:
      return new AppError("PAYLOAD_TOO_LARGE", "The request body is too large");
    case 415:
      return new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
    case 429:
      return new AppError("RATE_LIMITED", "Too many requests; wait a moment and try again");
    default:
      // Other client errors from the framework (bad headers, prototype poisoning, …); their
      // messages describe the request, not our internals.
      return new AppError("VALIDATION_ERROR", error.message || "Invalid request");
  }
}

/** The AppError to answer with, or null when the error is ours and must be hidden (500). */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error.code === "INTERNAL" ? null : error;
  if (typeof error === "object" && error !== null && ("statusCode" in error || "validation" in error))
    return fromFrameworkError(error as FastifyError);
  return null;
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = toAppError(error);
  if (known) {
    if (known.status >= 500) request.log.warn({ code: known.code, err: error }, known.message);
    return sendError(reply, known);
  }
  request.log.error({ err: error, reqId: request.id }, "unhandled error");
  return sendError(
    reply,
    new AppError("INTERNAL", `Something went wrong on our side; try again. Reference: ${request.id}`),
  );
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split("?")[0]?.slice(0, 200) ?? "";
  return sendError(reply, new AppError("NOT_FOUND", `No route ${request.method} ${path}`));
}

/**
 * What the HTTP parser refuses before Fastify sees a request (not HTTP at all, headers over Node's
 * limit, a request that never finished arriving) is answered with the envelope too, then closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection is already gone: nothing to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const refusal =
    error.code === "HPE_HEADER_OVERFLOW"
      ? new AppError("HEADERS_TOO_LARGE", "The request headers are too large")
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? new AppError("REQUEST_TIMEOUT", "The request took too long to arrive")
        : new AppError("VALIDATION_ERROR", "The request is not valid HTTP");
  const body = JSON.stringify(errorBody(refusal));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}
