/**
 * The pg pool as Kysely's PostgreSQL dialect sees it, with every statement sent as a named
 * (server-side prepared) statement: PostgreSQL parses and plans a text once per connection instead
 * of on every query. The name is a hash of the SQL text, so the same text has the same name on
 * every connection and two texts never share one.
 *
 * Bounded: a connection holds at most `size` named statements; past that, its further new texts go
 * unnamed and the connection is closed when it is released (the pool opens a fresh one), which is
 * what frees a server's prepared statements. A schema change that alters a prepared statement's
 * result columns ("cached plan must not change result type") retires the connection the same way.
 *
 * Named statements need a session that outlives one transaction: behind a pooler in transaction
 * mode, it must keep prepared statements per client (PgBouncer ≥ 1.21 `max_prepared_statements`).
 */
import { createHash } from "node:crypto";
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";
import { DEFAULT_STATEMENT_CACHE_SIZE, StatementCache, type StatementCacheStats } from "./statement-cache.ts";

/** The statement name of a SQL text (within PostgreSQL's 63-byte limit). */
export function statementName(text: string): string {
  return `malipo_${createHash("sha256").update(text).digest("hex").slice(0, 40)}`;
}

interface Session {
  /** Names prepared on this connection. */
  prepared: Set<string>;
  /** Close the connection when it is released instead of keeping it in the pool. */
  retire: boolean;
}

export interface NamedStatementPool extends PostgresPool {
  /** Summed over the connections: `size` is the named statements held now, `prepares` those prepared. */
  statementStats(): StatementCacheStats;
}

const planChanged = (error: unknown) =>
  (error as { code?: unknown })?.code === "0A000" &&
  String((error as { message?: unknown }).message).includes("cached plan");

export function namedStatementPool(pool: pg.Pool, size = DEFAULT_STATEMENT_CACHE_SIZE): NamedStatementPool {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError("statement cache size must be a whole number ≥ 1");
  // Text → name, so a hot text is not hashed on every query.
  const names = new StatementCache<string>(size * 4);
  const sessions = new WeakMap<pg.PoolClient, { session: Session; client: PostgresPoolClient }>();
  const stats = { size: 0, prepares: 0, hits: 0, evictions: 0 };

  function wrap(raw: pg.PoolClient): PostgresPoolClient {
    const known = sessions.get(raw);
    if (known) return known.client;
    const session: Session = { prepared: new Set(), retire: false };
    let forgotten = false;
    const forget = () => {
      if (forgotten) return;
      forgotten = true;
      sessions.delete(raw);
      stats.size -= session.prepared.size;
      stats.evictions += session.prepared.size;
    };
    // A connection the pool drops by itself (an error, idle timeout) takes its statements along.
    raw.once("end", forget);
    const query = async (text: string, values: readonly unknown[]): Promise<PostgresQueryResult<unknown>> => {
      const name = names.get(text, statementName);
      const held = session.prepared.has(name);
      const fresh = !held && session.prepared.size < size;
      if (held) stats.hits++;
      else if (fresh) {
        session.prepared.add(name);
        stats.size++;
        stats.prepares++;
      } else session.retire = true;
      try {
        const config = held || fresh ? { name, text, values: [...values] } : { text, values: [...values] };
        return (await raw.query(config)) as unknown as PostgresQueryResult<unknown>;
      } catch (error) {
        if (planChanged(error)) session.retire = true;
        // It may not have been prepared (a text that does not compile): count it as not held.
        if (fresh && session.prepared.delete(name)) stats.size--;
        throw error;
      }
    };
    const client = {
      get processID() {
        return (raw as unknown as { processID?: number }).processID;
      },
      query(first: unknown, values?: readonly unknown[]) {
        // A cursor (streaming) goes to pg as it is.
        if (typeof first !== "string") return raw.query(first as pg.Submittable);
        return query(first, values ?? []);
      },
      release(destroy?: boolean) {
        const retire = Boolean(destroy) || session.retire;
        if (retire) forget();
        raw.release(retire);
      },
    } as PostgresPoolClient;
    sessions.set(raw, { session, client });
    return client;
  }

  return {
    Client: (pool as unknown as { Client: PostgresPool["Client"] }).Client,
    options: pool.options,
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
    statementStats: () => ({ ...stats }),
  };
}
