/**
 * Builds the Fastify app from its dependencies. Never listens: `main.ts` listens, tests inject or
 * listen on port 0. Everything under `/api/v1`; `/health`, `/ready` and `/metrics` also at the root;
 * OpenAPI UI at `/docs` and the document at `/openapi.json`; the built web app (if any) at `/`.
 */
import { randomUUID } from "node:crypto";
import helmet from "@fastify/helmet";
import jwt from "@fastify/jwt";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { RESULT_BASE_PATH } from "../payouts/result-urls.ts";
import type { Services } from "../services.ts";
import { clientErrorHandler, errorHandler, notFoundHandler } from "./errors.ts";
import { metricsRoutes, observeRequests } from "./metrics.ts";
import { DEFAULT_RATE_LIMITS, type RateLimits, rateLimitError } from "./rate-limits.ts";
import { adminRoutes } from "./routes/admin.routes.ts";
import { authRoutes } from "./routes/auth.routes.ts";
import { balanceResultsRoutes } from "./routes/balance-results.routes.ts";
import { bookingLifeRoutes } from "./routes/booking-life.routes.ts";
import { bookingsRoutes } from "./routes/bookings.routes.ts";
import { configRoutes } from "./routes/config.routes.ts";
import { healthRoutes } from "./routes/health.routes.ts";
import { paymentsRoutes } from "./routes/payments.routes.ts";
import { payoutResultsRoutes } from "./routes/payout-results.routes.ts";
import { payoutsRoutes } from "./routes/payouts.routes.ts";
import { reconciliationRoutes } from "./routes/reconciliation.routes.ts";
import { reviewRoutes } from "./routes/review.routes.ts";
import { webhooksRoutes } from "./routes/webhooks.routes.ts";
import { hasWebApp, registerWebApp, trySpaFallback } from "./static.ts";
import { validatorCompiler } from "./validation.ts";

export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  db: Db;
  clock: Clock;
  services: Services;
  /** Directory of the built web app (web/dist); served at `/` when it holds an index.html. */
  webRoot?: string;
  /** The Daraja emulator's base URL when it runs in this process (shown to the web app). */
  emulatorUrl?: string;
  /** Overrides of the per-route rate limits (tests raise or lower them). */
  rateLimits?: Partial<RateLimits>;
  /** Heartbeat and re-read interval of live payment status streams (default 15 s). */
  liveRefreshMs?: number;
  /** Live status streams one account may hold open at once (default 5). */
  liveStreamsPerUser?: number;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route stores its raw input itself, NUL characters included (the M-Pesa callback). */
    storesNul?: boolean;
  }
}

export const API_PREFIX = "/api/v1";

/** Request bodies are small JSON objects; Daraja's callbacks are a few hundred bytes. */
export const BODY_LIMIT_BYTES = 64 * 1024;

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 32 || typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes("\u0000") || containsNul(item, depth + 1));
}

/**
 * Fastify's own hop count trusts no peer at all (it cannot tell the load balancer from a client that
 * reached the process directly), so a count is a function: believe the nearest `hops` peers.
 */
function fastifyTrustProxy(trust: Config["trustProxy"]): FastifyServerOptions["trustProxy"] {
  if (typeof trust === "number") return (_address: string, hop: number) => hop < trust;
  return typeof trust === "object" ? [...trust] : trust;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, services } = deps;
  const rateLimits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits };
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    // Behind a load balancer request.ip (rate limits, the callback allow-list, logs) is the client's
    // address from X-Forwarded-For, believed only from the proxies TRUST_PROXY names.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Errors the router raises before any route runs (a bad percent-encoding, a path parameter
    // longer than maxParamLength) answer with the same envelope as everything else.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
    // And so do requests the HTTP parser refuses before any route could see them.
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  const webApp = hasWebApp(deps.webRoot);
  app.setNotFoundHandler((request, reply) =>
    webApp && trySpaFallback(request, reply) ? reply : notFoundHandler(request, reply),
  );
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  // PostgreSQL cannot store NUL in text and SQLite truncates at it: refuse it at the edge, for every
  // route except those that store what they receive themselves (the M-Pesa callback).
  app.addHook("preValidation", async (request) => {
    if (request.routeOptions.config?.storesNul) return;
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body))
      throw new AppError("VALIDATION_ERROR", "Text must not contain NUL (\\u0000) characters");
  });
  observeRequests(app, services.metrics);
  // Graceful shutdown: `close()` stops new connections and waits for requests in flight. A keep-alive
  // client whose request finishes meanwhile would otherwise hold the server open until its
  // keep-alive timeout, so from then on every answer also ends its connection.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    return payload;
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      // Only ask browsers to upgrade to HTTPS when we are served over it (127.0.0.1 in development is not).
      directives: { upgradeInsecureRequests: config.publicBaseUrl.startsWith("https:") ? [] : null },
    },
  });
  await app.register(rateLimit, { global: false, errorResponseBuilder: rateLimitError });
  await app.register(jwt, {
    secret: config.jwtSecret.reveal(),
    sign: { algorithm: "HS256", expiresIn: config.jwtExpiresIn },
    verify: { algorithms: ["HS256"] },
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Malipo API",
        description: "Booking-fee payments by M-Pesa STK Push, with escrow and reconciliation.",
        version: "1.0.0",
      },
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  for (const prefix of ["", API_PREFIX]) {
    await app.register(healthRoutes, { prefix, db: deps.db, ledgerCheck: services.ledgerCheck });
    await app.register(metricsRoutes(services.metrics, config.metricsToken), { prefix });
  }

  await app.register(
    async (api) => {
      await api.register(authRoutes, { services, rateLimits });
      await api.register(bookingsRoutes, { services });
      await api.register(bookingLifeRoutes, { services });
      await api.register(payoutsRoutes, { services });
      await api.register(adminRoutes, { services });
      await api.register(webhooksRoutes, { services });
      await api.register(reviewRoutes, { services });
      await api.register(reconciliationRoutes, {
        services,
        statementMaxBytes: config.reconciliation.statementMaxBytes,
      });
      await api.register(configRoutes, {
        config,
        ...(deps.emulatorUrl ? { emulatorUrl: deps.emulatorUrl } : {}),
      });
    },
    { prefix: API_PREFIX },
  );

  await app.register(paymentsRoutes, {
    prefix: `${API_PREFIX}/payments/mpesa`,
    services,
    stkPushLimit: rateLimits.stkPush,
    ...(deps.liveRefreshMs === undefined ? {} : { liveRefreshMs: deps.liveRefreshMs }),
    ...(deps.liveStreamsPerUser === undefined ? {} : { liveStreamsPerUser: deps.liveStreamsPerUser }),
  });

  // Its own encapsulated context: a catch-all string body parser for what Daraja sends back.
  await app.register(payoutResultsRoutes, { prefix: RESULT_BASE_PATH, services });
  await app.register(balanceResultsRoutes, { prefix: RESULT_BASE_PATH, services });

  if (webApp) await registerWebApp(app, deps.webRoot as string);
  return app;
}
