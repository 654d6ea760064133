import type { Kysely } from "kysely";
import * as m0001 from "./0001_initial.ts";
import * as m0002 from "./0002_payments_core.ts";
import * as m0003 from "./0003_escrow.ts";
import * as m0004 from "./0004_webhooks.ts";
import * as m0005 from "./0005_payout_results.ts";
import * as m0006 from "./0006_perf_indexes.ts";
import * as m0007 from "./0007_reconciliation.ts";
import * as m0008 from "./0008_payment_review_decisions.ts";

/** A migration: frozen in time, it takes an untyped Kysely and imports nothing of the application. */
export interface Migration {
  // biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, not as it is
  up(db: Kysely<any>): Promise<void>;
}

/** Every migration, in order. Listed statically so the same build runs from the sources and from dist. */
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0002_payments_core": m0002,
  "0003_escrow": m0003,
  "0004_webhooks": m0004,
  "0005_payout_results": m0005,
  "0006_perf_indexes": m0006,
  "0007_reconciliation": m0007,
  "0008_payment_review_decisions": m0008,
};
