/**
 * How every Daraja route answers: JSON written byte for byte with Daraja's content type, the error
 * envelope with the status of its code, 405 for other methods, a silent dropped connection for a
 * lost answer — each answer recorded in the request log.
 */
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { type DarajaRejection, envelopeOf, httpStatusOf, rejections } from "../errors.ts";
import type { RequestLog } from "../requests.ts";
import type { Simulator } from "../simulator.ts";
import { bearerTokenOf, type TokenStore } from "../tokens.ts";

export const DARAJA_JSON = "application/json;charset=UTF-8";

const ALL_METHODS: HTTPMethods[] = ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT", "OPTIONS"];

/** Daraja's answers are written byte for byte: no schema validation, no schema serialisation. */
export const passThrough = { validatorCompiler: () => () => true, serializerCompiler: () => JSON.stringify };

/** A body the gateway could not read (wrong or missing Content-Type, malformed JSON). */
export class UnparsedBody {
  readonly raw: string;
  constructor(raw: string) {
    this.raw = raw;
  }
}

export interface RecordMeta {
  errorCode: string;
  requestId: string;
  checkoutRequestId: string;
  conversationId: string;
}

export function bodyOf(request: FastifyRequest): unknown {
  return request.body instanceof UnparsedBody ? undefined : request.body;
}

/** Keeps a connection open without answering for `ms`, then closes it (unless the client left first). */
export function holdThenDrop(socket: Socket, ms: number): void {
  const timer = setTimeout(() => socket.destroy(), ms);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}

export interface DarajaRepliesDeps {
  simulator: Simulator;
  tokens: TokenStore;
  requests: RequestLog;
}

export function darajaReplies(app: FastifyInstance, deps: DarajaRepliesDeps) {
  const { simulator, tokens, requests } = deps;

  const record = (request: FastifyRequest, status: number | "dropped", extra: Partial<RecordMeta> = {}) =>
    requests.record({
      at: simulator.now(),
      method: request.method,
      url: request.url,
      status,
      errorCode: extra.errorCode ?? null,
      requestId: extra.requestId ?? null,
      checkoutRequestId: extra.checkoutRequestId ?? null,
      conversationId: extra.conversationId ?? null,
      body: request.body instanceof UnparsedBody || request.body === undefined ? null : request.body,
    });

  const sendJson = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    body: object,
    meta?: Partial<RecordMeta>,
  ) => {
    record(request, status, meta);
    return reply.code(status).type(DARAJA_JSON).send(JSON.stringify(body));
  };

  const reject = (request: FastifyRequest, reply: FastifyReply, rejection: DarajaRejection) => {
    const envelope = envelopeOf(rejection, simulator.nextRequestId());
    return sendJson(request, reply, httpStatusOf(envelope.errorCode), envelope, {
      errorCode: envelope.errorCode,
      requestId: envelope.requestId,
    });
  };

  const authorised = (request: FastifyRequest) => {
    const token = bearerTokenOf(request.headers.authorization);
    return token !== null && tokens.isValid(token);
  };

  /** The answer was lost: the connection stays silent (the client times out), then closes. */
  const drop = (request: FastifyRequest, reply: FastifyReply, holdMs: number, meta: Partial<RecordMeta>) => {
    record(request, "dropped", meta);
    reply.hijack();
    holdThenDrop(request.raw.socket, simulator.scheduler.scaled(holdMs));
    return reply;
  };

  const methodNotAllowed = (allowed: HTTPMethods, url: string) =>
    app.route({
      method: ALL_METHODS.filter((m) => m !== allowed),
      url,
      schema: { hide: true },
      handler: (request, reply) => reject(request, reply, rejections.methodNotAllowed),
    });

  return { record, sendJson, reject, authorised, drop, methodNotAllowed };
}

/** Daraja-style answers for paths and failures outside the routes (unknown path, unreadable body). */
export function darajaRejectionReply(reply: FastifyReply, rejection: DarajaRejection, requestId: string) {
  const envelope = envelopeOf(rejection, requestId);
  return reply.code(httpStatusOf(envelope.errorCode)).type(DARAJA_JSON).send(JSON.stringify(envelope));
}
