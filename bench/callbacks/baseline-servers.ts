/**
 * The bare baselines: node:http with the engine's driver used directly — statements prepared once
 * (better-sqlite3) or named (pg), one transaction per callback — doing the same durable writes as
 * Malipo on Malipo's own schema. What Malipo's callback path is measured against.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import SqliteDatabase from "better-sqlite3";
import type pg from "pg";
import {
  ACCEPTED,
  type AttemptColumns,
  FIND_ATTEMPT,
  REFUSED,
  readCallback,
  WRITES,
  type Write,
  type WriteName,
  writesFor,
} from "./baseline-work.ts";

type Handle = (url: string, raw: string, ip: string) => Promise<boolean>;

function serve(handle: Handle): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req.url ?? "/", Buffer.concat(chunks).toString("utf8"), req.socket.remoteAddress ?? "")
        .then((ok) => {
          res.writeHead(ok ? 200 : 403, { "content-type": "application/json" });
          res.end(ok ? ACCEPTED : REFUSED);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

const positional = (text: string) => text.replace(/\$\d+/g, "?");

/** better-sqlite3, same pragmas as Malipo's database module, every statement prepared once. */
export function sqliteBaseline(file: string, secret: string) {
  const db = new SqliteDatabase(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  const find = db.prepare(positional(FIND_ATTEMPT));
  const prepared = Object.fromEntries(
    Object.entries(WRITES).map(([name, text]) => [name, db.prepare(positional(text))]),
  ) as Record<WriteName, SqliteDatabase.Statement>;
  // SQLite's parameters for a repeated `$2` are positional `?`s: expand the argument lists to match.
  const expand = (name: WriteName, args: unknown[]) =>
    (WRITES[name].match(/\$\d+/g) ?? []).map((p) => args[Number(p.slice(1)) - 1]);
  const run = db.transaction((writes: Write[]) => {
    for (const [name, args] of writes) prepared[name].run(...expand(name, args));
  });
  return serve(async (url, raw, ip) => {
    const cb = readCallback(secret, url, raw);
    if (!cb) return false;
    const attempt = find.get(cb.transactionId) as AttemptColumns | undefined;
    const writes = attempt ? writesFor(cb, attempt, raw, ip) : null;
    if (!writes) return false;
    run(writes);
    return true;
  }).then((server) => ({
    ...server,
    close: async () => {
      await server.close();
      db.close();
    },
  }));
}

/** pg with named (server-side prepared) statements and one BEGIN/COMMIT per callback. */
export function postgresBaseline(pool: pg.Pool, secret: string) {
  return serve(async (url, raw, ip) => {
    const cb = readCallback(secret, url, raw);
    if (!cb) return false;
    const client = await pool.connect();
    try {
      const found = await client.query<AttemptColumns>({
        name: "bench_find_attempt",
        text: FIND_ATTEMPT,
        values: [cb.transactionId],
      });
      const attempt = found.rows[0];
      const writes = attempt ? writesFor(cb, { ...attempt, amount: Number(attempt.amount) }, raw, ip) : null;
      if (!writes) return false;
      await client.query("BEGIN");
      try {
        for (const [name, args] of writes)
          await client.query({ name: `bench_${name}`, text: WRITES[name], values: args });
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      return true;
    } finally {
      client.release();
    }
  });
}
