/**
 * What Daraja POSTs back about an Account Balance query, on the signed URLs the query gave
 * (`balance:<checkId>`; src/reconciliation/account-balance.ts). Called by Daraja only, no session.
 * The body is read as sent, whatever its content type; an unsigned one is refused (403).
 */
import { type Static, Type } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { BALANCE_RESULT_ROUTES } from "../../reconciliation/account-balance.ts";
import type { Services } from "../../services.ts";
import { errorResponses } from "../schemas.ts";

const Query = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 200 })),
  sig: Type.Optional(Type.String({ maxLength: 200 })),
});
const Accepted = Type.Object({ ResultCode: Type.Literal(0), ResultDesc: Type.Literal("Accepted") });

export async function balanceResultsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  for (const route of ["result", "timeout"] as const)
    app.post<{ Querystring: Static<typeof Query>; Body: unknown }>(
      BALANCE_RESULT_ROUTES[route],
      {
        schema: {
          tags: ["reconciliation"],
          summary: `Daraja's Account Balance ${route === "result" ? "result" : "queue-timeout notice"} (signed URL; no session)`,
          querystring: Query,
          response: { 200: Accepted, ...errorResponses(400, 403, 413) },
        },
      },
      async (request, reply) => {
        await services.reconciliation.receiveBalanceResult({
          route,
          rawBody: typeof request.body === "string" ? request.body : "",
          id: request.query.id,
          sig: request.query.sig,
        });
        return reply.code(200).send({ ResultCode: 0, ResultDesc: "Accepted" });
      },
    );
}
