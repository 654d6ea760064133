/**
 * The emulator's Fastify app: bodies read as Daraja's gateway reads them, responses written in the
 * key order the code writes, the OpenAPI document, and the answers for unknown paths and failures
 * (Daraja's envelope on Daraja paths, `{"error":{code,message}}` on the control API).
 */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { ControlError } from "./control.ts";
import { rejections, resourceNotFoundFor } from "./errors.ts";
import type { RequestLog } from "./requests.ts";
import { darajaRejectionReply, UnparsedBody } from "./routes/daraja-replies.ts";
import type { Simulator } from "./simulator.ts";

export const isControlPath = (url: string) => url === "/__emulator" || url.startsWith("/__emulator/");

export async function createEmulatorApp(logger: Logger | null): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  // Responses are plain JSON in the key order the code writes; schemas only document them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // Daraja does not parse a body without `Content-Type: application/json`; its first field then
  // "fails" (400.002.02 Invalid BusinessShortCode). The control API is lenient for curl users.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (isControlPath(request.url)) {
      if (text.trim() === "") return done(null, undefined);
      try {
        return done(null, JSON.parse(text));
      } catch {
        return done(new ControlError(400, "INVALID_INPUT", "the body is not valid JSON"), undefined);
      }
    }
    if (type !== "application/json") return done(null, new UnparsedBody(text));
    try {
      return done(null, JSON.parse(text));
    } catch {
      return done(null, new UnparsedBody(text));
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Daraja emulator",
        version: "1.0.0",
        description:
          "A local stand-in for Safaricom's Daraja API (OAuth, M-Pesa Express STK Push and Query, STK callbacks, " +
          "B2C, Reversal, Transaction Status, Account Balance and their results) with a simulated phone and a " +
          "control API under /__emulator. See docs/emulator.md.",
      },
      tags: [
        { name: "Daraja", description: "Safaricom's paths, fields and error codes" },
        { name: "Control", description: "Inspect and steer the emulator (tests and demos)" },
        { name: "Phone", description: "The simulated phone's endpoints" },
      ],
      components: {
        securitySchemes: {
          basic: { type: "http", scheme: "basic" },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
    },
  });
  app.get("/__emulator/openapi.json", { schema: { hide: true } }, () => app.swagger());
  return app;
}

export function registerFallbacks(
  app: FastifyInstance,
  deps: { simulator: Simulator; requests: RequestLog },
): void {
  const { simulator, requests } = deps;
  app.setNotFoundHandler((request, reply) => {
    if (isControlPath(request.url))
      return reply.code(404).send({
        error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}` },
      });
    const requestId = simulator.nextRequestId();
    const rejection = resourceNotFoundFor(request.url);
    requests.record({
      at: simulator.now(),
      method: request.method,
      url: request.url,
      status: 404,
      errorCode: rejection.errorCode,
      requestId,
      checkoutRequestId: null,
      conversationId: null,
      body: null,
    });
    return darajaRejectionReply(reply, rejection, requestId);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isControlPath(request.url)) {
      if (error instanceof ControlError)
        return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
      const status = error.statusCode ?? 500;
      if (error.validation || (status >= 400 && status < 500))
        return reply.code(status).send({ error: { code: "INVALID_INPUT", message: error.message } });
      simulator.logger.error({ err: error }, "emulator control API failed");
      return reply.code(500).send({ error: { code: "INTERNAL", message: "internal error" } });
    }
    // A body Fastify refused before our parser ran (malformed Content-Type, too large): Daraja
    // could not read it either.
    if (error.code?.startsWith("FST_ERR_CTP"))
      return darajaRejectionReply(
        reply,
        rejections.invalidField("BusinessShortCode"),
        simulator.nextRequestId(),
      );
    simulator.logger.error({ err: error }, "emulator Daraja route failed");
    return darajaRejectionReply(reply, rejections.internalServerError, simulator.nextRequestId());
  });
}
