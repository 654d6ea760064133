/**
 * Statement reconciliation for admins (design: books-and-webhooks.md §1): upload the M-Pesa
 * portal's statement (the CSV itself as the body, `text/csv`), read runs and their discrepancies
 * (also as CSV), decide a discrepancy (attach found money to a booking, refund it, or resolve with a
 * note), and ask the Account Balance API. Routes only translate HTTP ↔ the reconciliation service.
 */
import {
  type FastifyPluginAsyncTypebox,
  type TSchema,
  Type,
  type TypeBoxTypeProvider,
} from "@fastify/type-provider-typebox";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, Nullable, PageFields, PaginationQuery } from "../schemas.ts";
import { TransactionSchema } from "./payments.routes.ts";
import { RefundSchema } from "./payouts.routes.ts";
import {
  BalanceCheckSchema,
  DiscrepancySchema,
  RunDetailSchema,
  RunSchema,
} from "./reconciliation.schemas.ts";

export interface ReconciliationRoutesOptions {
  services: Services;
  /** Largest statement accepted, bytes. */
  statementMaxBytes: number;
}

const adminOnly = { onRequest: [authenticate, requireRole("admin")] };
const IdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) });
const Note = Type.String({ minLength: 1, maxLength: 500, description: "Why: recorded with the admin" });
const BookingId = Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" });
const PeriodQuery = Type.Object({
  from: Type.Optional(
    Type.String({
      maxLength: 40,
      description:
        "Start of the period the export covers: a date (midnight in Nairobi) or a date-time with offset",
    }),
  ),
  to: Type.Optional(Type.String({ maxLength: 40, description: "End of that period (with from)" })),
});
const Decided = Type.Object({
  success: Type.Literal(true),
  data: Type.Object({
    discrepancy: DiscrepancySchema,
    transaction: Nullable(TransactionSchema),
    refund: Nullable(RefundSchema),
  }),
});
const RunAnswer = Type.Object({ success: Type.Literal(true), data: RunDetailSchema });
const CSV_TYPES = ["text/csv", "text/plain"];

export const reconciliationRoutes: FastifyPluginAsyncTypebox<ReconciliationRoutesOptions> = async (
  app,
  { services, statementMaxBytes },
) => {
  const rec = services.reconciliation;

  // The upload, in a context of its own: its body is the CSV file, nothing else.
  await app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser(
      CSV_TYPES,
      { parseAs: "string", bodyLimit: statementMaxBytes },
      (_r, body, done) => done(null, body),
    );
    upload.addContentTypeParser("*", (_request, _payload, done) =>
      done(new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the statement as the body, Content-Type: text/csv")),
    );
    upload.withTypeProvider<TypeBoxTypeProvider>().post(
      "/admin/reconciliations",
      {
        ...adminOnly,
        bodyLimit: statementMaxBytes,
        schema: {
          tags: ["reconciliation"],
          summary:
            "Reconcile an M-Pesa statement (the portal's CSV export as the body): 201 a new run, 200 the same run when imported before",
          security: bearerAuth,
          consumes: CSV_TYPES,
          querystring: PeriodQuery,
          body: Type.String({ description: "The statement CSV, as exported from the M-Pesa portal" }),
          response: { 200: RunAnswer, 201: RunAnswer, ...errorResponses(400, 401, 403, 413, 415) },
        },
      },
      async (request, reply) => {
        const { detail, created } = await rec.importCsv(request.user, request.body, request.query);
        return reply.code(created ? 201 : 200).send({ success: true as const, data: detail });
      },
    );
  });

  app.get(
    "/admin/reconciliations",
    {
      ...adminOnly,
      schema: {
        tags: ["reconciliation"],
        summary: "Reconciliation runs, newest first",
        security: bearerAuth,
        querystring: Type.Object(PaginationQuery),
        response: {
          200: Type.Object({ ...PageFields, runs: Type.Array(RunSchema) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { page = 1, limit = 10 } = request.query;
      const result = await rec.listRuns(request.user, { page, limit });
      return { success: true as const, count: result.items.length, ...result, runs: result.items };
    },
  );

  app.get(
    "/admin/reconciliations/balance",
    {
      ...adminOnly,
      schema: {
        tags: ["reconciliation"],
        summary: "The latest Account Balance query and its answer, next to the ledger's mpesa_clearing",
        security: bearerAuth,
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Object({ check: Nullable(BalanceCheckSchema) }),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ success: true as const, data: { check: await rec.latestBalance(request.user) } }),
  );

  app.post(
    "/admin/reconciliations/balance",
    {
      ...adminOnly,
      schema: {
        tags: ["reconciliation"],
        summary: "Ask the Account Balance API now; its answer arrives on the check (GET …/balance)",
        security: bearerAuth,
        response: {
          202: Type.Object({ success: Type.Literal(true), data: Type.Object({ check: BalanceCheckSchema }) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send({ success: true as const, data: { check: await rec.requestBalance(request.user) } }),
  );

  app.get(
    "/admin/reconciliations/:id",
    {
      ...adminOnly,
      schema: {
        tags: ["reconciliation"],
        summary: "A run: counts, balances compared, and every discrepancy it found",
        security: bearerAuth,
        params: IdParams,
        response: { 200: RunAnswer, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ success: true as const, data: await rec.getRun(request.user, request.params.id) }),
  );

  app.get(
    "/admin/reconciliations/:id/discrepancies.csv",
    {
      ...adminOnly,
      schema: {
        tags: ["reconciliation"],
        summary: "A run's discrepancies as a CSV download",
        security: bearerAuth,
        params: IdParams,
        produces: ["text/csv"],
        response: {
          200: Type.String({ description: "One row per discrepancy (text/csv)" }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { filename, csv } = await rec.runCsv(request.user, request.params.id);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${filename}"`)
        .send(csv);
    },
  );

  const decisionSchema = <B extends TSchema>(summary: string, body: B) => ({
    ...adminOnly,
    schema: {
      tags: ["reconciliation"],
      summary,
      security: bearerAuth,
      params: IdParams,
      body,
      response: { 200: Decided, ...errorResponses(400, 401, 403, 404, 409) },
    },
  });
  const path = (action: string) => `/admin/reconciliations/discrepancies/:id/${action}`;

  app.post(
    path("attach"),
    decisionSchema(
      "Attach money found on the statement to a booking: it pays the fee (held in escrow), or is owed back if the fee was paid",
      Type.Object({ bookingId: BookingId, note: Note }, { additionalProperties: false }),
    ),
    async (request) => ({
      success: true as const,
      data: await rec.attach(request.user, request.params.id, request.body),
    }),
  );
  app.post(
    path("refund"),
    decisionSchema(
      "Refund money found on the statement by Reversal of its receipt (booking: the probable attempt's or the account's, unless given)",
      Type.Object({ bookingId: Type.Optional(BookingId), note: Note }, { additionalProperties: false }),
    ),
    async (request) => ({
      success: true as const,
      data: await rec.refund(request.user, request.params.id, request.body),
    }),
  );
  app.post(
    path("resolve"),
    decisionSchema(
      "Close a discrepancy with a note (what a person found)",
      Type.Object({ note: Note }, { additionalProperties: false }),
    ),
    async (request) => ({
      success: true as const,
      data: await rec.resolve(request.user, request.params.id, request.body),
    }),
  );
};
