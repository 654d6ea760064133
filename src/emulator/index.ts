/**
 * A faithful local stand-in for Safaricom's Daraja API (OAuth, STK Push, STK Push Query and the
 * STK callback), with a simulated phone, a control API and seeded fault injection.
 *
 *   const emulator = await createEmulator({ timeScale: 0.01 });
 *   const baseUrl = await emulator.listen();   // http://127.0.0.1:<port>
 *   …
 *   await emulator.close();
 */
import type { AddressInfo } from "node:net";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance, LogController } from "fastify";
import type { CallbackDelivery } from "./callbacks.ts";
import { ControlError, type PhoneAnswer, type ResolveAction } from "./control.ts";
import { rejections } from "./errors.ts";
import type { FaultConfig, FaultConfigInput } from "./faults.ts";
import { type EmulatorOptions, type EmulatorSettings, resolveSettings } from "./options.ts";
import type { Outcome } from "./outcomes.ts";
import { type RecordedRequest, RequestLog } from "./requests.ts";
import { registerControlRoutes } from "./routes/control.routes.ts";
import { darajaRejectionReply, registerDarajaRoutes, UnparsedBody } from "./routes/daraja.routes.ts";
import { registerPageRoutes } from "./routes/pages.routes.ts";
import type { SessionStatus, StkSession } from "./sessions.ts";
import { Simulator } from "./simulator.ts";
import { TokenStore } from "./tokens.ts";

export type { CallbackDelivery, DeliveryStatus } from "./callbacks.ts";
export { type PhoneAnswer, RESOLVE_ACTIONS, type ResolveAction } from "./control.ts";
export type { FaultConfig, FaultConfigInput, FaultKind, FaultRates } from "./faults.ts";
export type { EmulatorOptions, EmulatorSettings, Merchant, QueryProcessingStyle } from "./options.ts";
export { OUTCOMES, type Outcome, type ResultKind, TEST_NUMBERS, type TestNumber } from "./outcomes.ts";
export type { RecordedRequest } from "./requests.ts";
export type { Receipt, ResolvedBy, SessionStatus, StkResult, StkSession } from "./sessions.ts";

export interface EmulatorSessions {
  /** Newest first. */
  list(filter?: { phoneNumber?: string; status?: SessionStatus; limit?: number }): StkSession[];
  get(checkoutRequestId: string): StkSession | undefined;
  /** The prompt open on a phone, if any. */
  pendingFor(msisdn: string): StkSession | undefined;
  waitFor(predicate: (session: StkSession) => boolean, timeoutMs?: number): Promise<StkSession>;
}

export interface EmulatorDeliveries {
  /** Oldest first. */
  list(filter?: { checkoutRequestId?: string }): CallbackDelivery[];
  waitFor(predicate: (delivery: CallbackDelivery) => boolean, timeoutMs?: number): Promise<CallbackDelivery>;
}

export interface Emulator {
  /** The emulator's own Fastify app (use `app.inject()` or `listen()`). */
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:<port>` once listening, else null. */
  readonly baseUrl: string | null;
  readonly settings: Readonly<EmulatorSettings>;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /**
   * Forgets sessions, requests, deliveries, outcomes and faults, cancels timers, restores the time
   * scale and token lifetime; issued tokens stay valid.
   */
  reset(): void;
  readonly sessions: EmulatorSessions;
  readonly deliveries: EmulatorDeliveries;
  readonly requests: { list(filter?: { path?: string }): RecordedRequest[] };
  resolve(checkoutRequestId: string, action: ResolveAction): StkSession;
  answerPrompt(msisdn: string, answer: PhoneAnswer): StkSession;
  setOutcome(msisdn: string, outcome: Outcome | null): void;
  setTimeScale(timeScale: number): void;
  setFaults(input: FaultConfigInput): FaultConfig;
  /** Lifetime of tokens issued from now on (`expires_in`). */
  setTokenTtl(seconds: number): void;
  /** Every token issued so far stops working; returns how many were valid. */
  expireTokens(): number;
}

const isControlPath = (url: string) => url === "/__emulator" || url.startsWith("/__emulator/");

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = resolveSettings(options);
  const simulator = new Simulator(settings, options.logger);
  const tokens = new TokenStore(settings.tokenTtlSeconds, () => settings.clock.now());
  const requests = new RequestLog();
  let baseUrl: string | null = null;
  let closed = false;

  const app = Fastify({
    ...(options.logger ? { loggerInstance: simulator.logger } : { logger: false }),
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
          "A local stand-in for Safaricom's Daraja API (OAuth, M-Pesa Express STK Push and Query, STK callbacks) " +
          "with a simulated phone and a control API under /__emulator. See docs/emulator.md.",
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

  const reset = () => {
    simulator.reset();
    requests.clear();
    tokens.restoreTtl();
  };
  registerDarajaRoutes(app, { simulator, tokens, requests, settings });
  registerControlRoutes(app, { simulator, requests, settings, tokens, reset, baseUrl: () => baseUrl });
  registerPageRoutes(app, { simulator, settings, baseUrl: () => baseUrl });
  app.get("/__emulator/openapi.json", { schema: { hide: true } }, () => app.swagger());

  app.setNotFoundHandler((request, reply) => {
    if (isControlPath(request.url))
      return reply.code(404).send({
        error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}` },
      });
    const requestId = simulator.nextRequestId();
    requests.record({
      at: simulator.now(),
      method: request.method,
      url: request.url,
      status: 404,
      errorCode: rejections.resourceNotFound.errorCode,
      requestId,
      checkoutRequestId: null,
      body: null,
    });
    return darajaRejectionReply(reply, rejections.resourceNotFound, requestId);
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

  return {
    app,
    get baseUrl() {
      return baseUrl;
    },
    settings,
    async listen(port = 0, host = "127.0.0.1") {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const visibleHost =
        host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      baseUrl = `http://${visibleHost}:${address.port}`;
      return baseUrl;
    },
    async close() {
      if (closed) return;
      closed = true;
      simulator.close();
      await app.close();
      baseUrl = null;
    },
    reset,
    sessions: {
      list: (filter) => simulator.sessions.list(filter),
      get: (id) => simulator.sessions.get(id),
      pendingFor: (msisdn) => simulator.sessions.pendingFor(msisdn),
      waitFor: (predicate, timeoutMs) => simulator.waitForSession(predicate, timeoutMs),
    },
    deliveries: {
      list: (filter) => simulator.callbacks.list(filter),
      waitFor: (predicate, timeoutMs) => simulator.callbacks.waitFor(predicate, timeoutMs),
    },
    requests: { list: (filter) => requests.list(filter) },
    resolve: (id, action) => simulator.resolve(id, action),
    answerPrompt: (msisdn, answer) => simulator.answerPrompt(msisdn, null, answer),
    setOutcome: (msisdn, outcome) => simulator.setOutcome(msisdn, outcome),
    setTimeScale(timeScale) {
      if (!Number.isFinite(timeScale) || timeScale < 0) throw new RangeError("timeScale must be ≥ 0");
      simulator.scheduler.timeScale = timeScale;
    },
    setFaults: (input) => simulator.faults.configure(input),
    setTokenTtl(seconds) {
      tokens.ttlSeconds = seconds;
    },
    expireTokens: () => tokens.expireAll(),
  };
}
