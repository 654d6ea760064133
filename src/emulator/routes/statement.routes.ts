/**
 * `GET /__emulator/statement.csv`: an organisation's statement as the M-Pesa portal exports it,
 * for a period, so the reconciliation loop runs locally.
 */
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { ControlError } from "../control.ts";
import type { InitiatorSimulator } from "../initiator-simulator.ts";
import type { EmulatorSettings } from "../options.ts";
import { ControlError as ControlErrorSchema, documented } from "../schemas.ts";
import { MAX_STATEMENT_LINES } from "../statement.ts";
import { statementCsv } from "../statement-export.ts";

export interface StatementRouteDeps {
  initiators: InitiatorSimulator;
  settings: EmulatorSettings;
}

export const STATEMENT_PATH = "/__emulator/statement.csv";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with its offset, or a date meaning its midnight in Nairobi (as the portal). */
export function instantParam(name: string, value: string): Date {
  const match = DATE.exec(value) ?? DATE_TIME.exec(value);
  const instant = match === null ? null : new Date(DATE.test(value) ? `${value}T00:00:00+03:00` : value);
  const [year, month, day] = (match ?? []).slice(1, 4).map(Number) as [number, number, number];
  // Date would roll 31 February over into March: a date that does not come back is not real.
  const real = month >= 1 && month <= 12 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
  if (instant === null || Number.isNaN(instant.getTime()) || !real)
    throw new ControlError(
      400,
      "INVALID_INPUT",
      `${name} must be an ISO 8601 date-time with an offset (2026-11-30T09:00:00Z) or a date (2026-11-30): ${value}`,
    );
  return instant;
}

const csvResponse = Type.Object(
  {},
  {
    description: "The statement (text/csv; charset=utf-8)",
    content: { "text/csv": { schema: Type.String() } },
  },
);
const errorResponse = (description: string) =>
  Type.Object({}, { description, content: { "application/json": { schema: ControlErrorSchema } } });

export function registerStatementRoutes(parent: FastifyInstance, deps: StatementRouteDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { initiators, settings } = deps;
  const defaultShortcode = [...settings.merchants.keys()][0] as string;

  app.get(
    STATEMENT_PATH,
    {
      schema: {
        tags: ["Control"],
        summary: "An organisation's Utility Account statement, as the M-Pesa portal exports it (CSV)",
        description:
          "Every STK payment in, B2C payout and reversal out, and each payout's charge (a separate line on " +
          "the same receipt, Linked Transaction ID set, no Balance: charges are paid from the Charges Paid " +
          "Account), completed at or after `from` and before `to`. Newest first; times in East Africa Time; " +
          `Balance is the Utility Account's after the line. The emulator keeps the latest ${MAX_STATEMENT_LINES} ` +
          "lines of all organisations; reset forgets them.",
        querystring: Type.Object({
          from: Type.Optional(
            Type.String({
              description: "ISO 8601 with offset, or a date (its midnight in Nairobi); inclusive",
            }),
          ),
          to: Type.Optional(Type.String({ description: "as `from`; exclusive" })),
          shortcode: Type.Optional(Type.String({ description: "default: the first configured merchant" })),
        }),
        response: documented({
          200: csvResponse,
          400: errorResponse("A bad from, to or period"),
          404: errorResponse("No organisation with that shortcode"),
        }),
      },
    },
    (request, reply) => {
      const { query } = request;
      const from = query.from === undefined ? null : instantParam("from", query.from);
      const to = query.to === undefined ? null : instantParam("to", query.to);
      if (from !== null && to !== null && from.getTime() > to.getTime())
        throw new ControlError(400, "INVALID_INPUT", `from (${query.from}) is after to (${query.to})`);
      const shortcode = query.shortcode ?? defaultShortcode;
      const merchant = settings.merchants.get(shortcode);
      if (merchant === undefined)
        throw new ControlError(404, "ORGANISATION_NOT_FOUND", `no organisation with shortcode ${shortcode}`);
      const lines = initiators.statement.list({
        shortcode,
        ...(from === null ? {} : { from }),
        ...(to === null ? {} : { to }),
      });
      const csv = statementCsv({ shortcode, organisationName: merchant.name, from, to, lines });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="statement-${shortcode}.csv"`)
        .send(csv);
    },
  );
}
