/**
 * Liveness (`/health`: the process answers) and readiness (`/ready`: database reachable and migrated),
 * with the last ledger check in `/ready`'s detail. A broken ledger does not make the process unready:
 * it needs a person, and taking every process out of the load balancer would not help them.
 */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import { type Db, isMigrated } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import type { LedgerMonitor } from "../../ledger/ledger-check.ts";
import { errorResponses } from "../schemas.ts";

export interface HealthRoutesOptions {
  db: Db;
  ledgerCheck: Pick<LedgerMonitor, "latest">;
}

const LedgerDetail = Type.Union([
  Type.Object({ status: Type.Literal("unknown"), checkedAt: Type.Null() }),
  Type.Object({
    status: Type.Union([Type.Literal("balanced"), Type.Literal("unbalanced")]),
    checkedAt: Type.String({ format: "date-time" }),
    entriesSumKes: Type.Integer({ description: "sum of every ledger entry; 0 when balanced" }),
    escrowDifferenceKes: Type.Integer({
      description: "escrow minus the held booking fees; 0 when they agree",
    }),
  }),
]);

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (
  app,
  { db, ledgerCheck },
) => {
  app.get(
    "/health",
    {
      schema: {
        tags: ["operations"],
        summary: "The process is up",
        response: { 200: Type.Object({ status: Type.Literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/ready",
    {
      schema: {
        tags: ["operations"],
        summary: "The database answers and every migration is applied; the last ledger check",
        response: {
          200: Type.Object({ status: Type.Literal("ready"), ledger: LedgerDetail }),
          ...errorResponses(503),
        },
      },
    },
    async (request) => {
      let migrated = false;
      try {
        await sql`select 1`.execute(db.kysely);
        migrated = await isMigrated(db);
      } catch (error) {
        request.log.warn({ err: error }, "readiness check failed");
        throw new AppError("NOT_READY", "The database is not reachable");
      }
      if (!migrated) throw new AppError("NOT_READY", "Database migrations are pending; run npm run migrate");
      const last = ledgerCheck.latest();
      const ledger = last
        ? {
            status: last.balanced ? ("balanced" as const) : ("unbalanced" as const),
            checkedAt: last.checkedAt,
            entriesSumKes: last.entriesSumKes,
            escrowDifferenceKes: last.escrowDifferenceKes,
          }
        : { status: "unknown" as const, checkedAt: null };
      return { status: "ready" as const, ledger };
    },
  );
};
