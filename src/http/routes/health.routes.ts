/** Liveness (`/health`: the process answers) and readiness (`/ready`: database reachable and migrated). */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import { type Db, isMigrated } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import { errorResponses } from "../schemas.ts";

export interface HealthRoutesOptions {
  db: Db;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { db }) => {
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
        summary: "The database answers and every migration is applied",
        response: { 200: Type.Object({ status: Type.Literal("ready") }), ...errorResponses(503) },
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
      return { status: "ready" as const };
    },
  );
};
