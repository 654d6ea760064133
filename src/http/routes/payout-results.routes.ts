/**
 * What Daraja POSTs back about a payout or refund: B2C and Reversal results, Transaction Status
 * results, and the queue-timeout notice of each, on the signed URLs the submitter gave (kind, id and
 * an HMAC in the query; src/payouts/result-urls.ts). Called by Daraja only, no session. Like the STK
 * callback, each route keeps the body exactly as received, whatever its content type, and answers at
 * once; the payouts module stores it first and decides it afterwards.
 */
import { type Static, Type } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { PayoutResultRoute } from "../../db/schema.ts";
import { RESULT_ROUTES } from "../../payouts/result-urls.ts";
import type { Services } from "../../services.ts";
import { errorResponses } from "../schemas.ts";

export interface PayoutResultsRoutesOptions {
  services: Services;
}

const ResultQuery = Type.Object({
  kind: Type.Optional(Type.String({ maxLength: 200, description: "payout or refund" })),
  id: Type.Optional(Type.String({ maxLength: 200 })),
  sig: Type.Optional(Type.String({ maxLength: 200 })),
});

const Accepted = Type.Object({ ResultCode: Type.Literal(0), ResultDesc: Type.Literal("Accepted") });

const SUMMARIES: Readonly<Record<PayoutResultRoute, string>> = {
  b2c_result: "Daraja's B2C payment result (signed URL; no session)",
  b2c_timeout: "Daraja's B2C queue-timeout notice (signed URL; no session)",
  reversal_result: "Daraja's Reversal result (signed URL; no session)",
  reversal_timeout: "Daraja's Reversal queue-timeout notice (signed URL; no session)",
  status_result: "Daraja's Transaction Status result (signed URL; no session)",
  status_timeout: "Daraja's Transaction Status queue-timeout notice (signed URL; no session)",
};

export async function payoutResultsRoutes(
  app: FastifyInstance,
  { services }: PayoutResultsRoutesOptions,
): Promise<void> {
  // Keep the body exactly as sent, whatever its content type (and even when it is not JSON).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  for (const [route, path] of Object.entries(RESULT_ROUTES) as Array<[PayoutResultRoute, string]>)
    app.post<{ Querystring: Static<typeof ResultQuery>; Body: unknown }>(
      path,
      {
        // Every notice is stored, even one carrying NUL characters (the payouts module escapes them).
        config: { storesNul: true },
        schema: {
          tags: ["payouts"],
          summary: SUMMARIES[route],
          querystring: ResultQuery,
          response: { 200: Accepted, ...errorResponses(400, 403, 413, 429) },
        },
      },
      async (request, reply) => {
        await services.payoutResults.receive({
          route,
          rawBody: typeof request.body === "string" ? request.body : "",
          kind: request.query.kind,
          id: request.query.id,
          sig: request.query.sig,
          sourceIp: request.ip ?? null,
        });
        return reply.code(200).send({ ResultCode: 0, ResultDesc: "Accepted" });
      },
    );
}
