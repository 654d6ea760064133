/**
 * HTTP side of the metrics: times every request into `http_request_duration_seconds` and serves the
 * registry as Prometheus text on `GET /metrics` (and `/api/v1/metrics`), behind a Bearer token when
 * METRICS_TOKEN is set.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { Secret } from "../secret.ts";

function tokenMatches(header: string | undefined, token: Secret): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token.reveal());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Adds the request timer to `app` (call on the root instance so it sees every route). */
export function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, not the URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? "unmatched";
    metrics.httpRequestDuration.observe(
      { route, method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

export function metricsRoutes(metrics: Metrics, token: Secret | null) {
  return async function metricsPlugin(app: FastifyInstance): Promise<void> {
    app.get("/metrics", { schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
      if (token && !tokenMatches(request.headers.authorization, token))
        throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer <metrics token>");
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  };
}
