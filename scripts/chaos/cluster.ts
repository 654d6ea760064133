/**
 * The processes of a chaos run: the Daraja emulator on its own, and Malipo — two processes on one
 * PostgreSQL schema, or one on a SQLite file — each configured only by its environment, as in
 * production behind a proxy, with the waits compressed to match the emulator's time scale. Kills
 * come from the plan: SIGKILL, a pause, the same process started again on the same port.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { sql } from "kysely";
import { createDatabase, type Db } from "../../src/db/database.ts";
import { freePort } from "../free-port.ts";
import type { ChaosPlan } from "./plan.ts";
import { ManagedProcess } from "./processes.ts";

const run = promisify(execFile);
export const ROOT = new URL("../..", import.meta.url).pathname;
const NODE_ARGS = ["--import", "./scripts/require-node.mjs"];

/** Emulator delays × 0.05 (a 60 s prompt timeout lasts 3 s); Malipo's waits × 0.1. */
export const EMULATOR_TIME_SCALE = 0.05;
export const MALIPO_TIME_SCALE = 0.1;
/** Malipo's webhook timeout; the receiver's "timeout" answers wait longer than this. */
export const WEBHOOK_TIMEOUT_MS = 1_000;

export type Engine = "sqlite" | "postgres";

const baseEnv = () => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? ROOT });

export async function startEmulator(evidence: string): Promise<{ process: ManagedProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const emulator = new ManagedProcess({
    name: "emulator",
    args: [...NODE_ARGS, "src/emulator/main.ts"],
    env: {
      ...baseEnv(),
      MPESA_EMULATOR_PORT: String(port),
      EMULATOR_TIME_SCALE: String(EMULATOR_TIME_SCALE),
      EMULATOR_MAX_RECORDS: "1000000",
      LOG_LEVEL: "warn",
    },
    cwd: ROOT,
    logFile: join(evidence, "emulator.log"),
    readyUrl: `${url}/__emulator/info`,
  });
  await emulator.start();
  return { process: emulator, url };
}

export interface DatabaseTarget {
  engine: Engine;
  /** DATABASE_URL for the processes. */
  url: string;
  /** The PostgreSQL schema, or the SQLite file. */
  where: string;
  open(): Db;
  /** Writes a copy of the database into the evidence folder; returns its path. */
  dump(evidence: string): Promise<string>;
  drop(): Promise<void>;
}

export async function createDatabaseTarget(
  engine: Engine,
  seed: string,
  evidence: string,
  postgresUrl: string,
): Promise<DatabaseTarget> {
  if (engine === "sqlite") {
    const file = join(evidence, "malipo.sqlite");
    return {
      engine,
      url: file,
      where: file,
      open: () => createDatabase(file),
      dump: async () => file,
      drop: async () => {},
    };
  }
  const schema = `chaos_${seed.replace(/[^a-z0-9]/gi, "").toLowerCase()}`.slice(0, 40);
  const admin = createDatabase(postgresUrl, { poolSize: 1 });
  try {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.kysely);
    await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.kysely);
  } finally {
    await admin.destroy();
  }
  return {
    engine,
    url: `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    where: `schema ${schema}`,
    open: () => createDatabase(postgresUrl, { schema }),
    async dump(dir) {
      const file = join(dir, `${schema}.sql`);
      await run("pg_dump", ["--no-owner", `--schema=${schema}`, `--file=${file}`, postgresUrl]);
      return file;
    },
    async drop() {
      const db = createDatabase(postgresUrl, { poolSize: 1 });
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db.kysely);
      await db.destroy();
    },
  };
}

export interface ClusterSecrets {
  jwt: string;
  callback: string;
}

export const newSecrets = (): ClusterSecrets => ({
  jwt: randomBytes(32).toString("hex"),
  callback: randomBytes(32).toString("hex"),
});

/** One Malipo process's environment: nothing from the shell it was started from. */
function malipoEnv(port: number, db: DatabaseTarget, emulatorUrl: string, secrets: ClusterSecrets) {
  return {
    ...baseEnv(),
    MPESA_ENVIRONMENT: "emulator",
    MPESA_BASE_URL: emulatorUrl,
    // The run's own emulator answers: none is started inside Malipo's process.
    MPESA_EMULATOR_EMBEDDED: "false",
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: db.url,
    JWT_SECRET: secrets.jwt,
    CALLBACK_SECRET: secrets.callback,
    TRUST_PROXY: "loopback",
    LOG_LEVEL: "info",
    MALIPO_TIME_SCALE: String(MALIPO_TIME_SCALE),
    MPESA_TIMEOUT_MS: "2000",
    MPESA_RATE_LIMIT_PER_SECOND: "500",
    MPESA_RATE_LIMIT_BURST: "100",
    RECONCILER_INTERVAL_MS: "500",
    PAYOUT_SUBMITTER_INTERVAL_MS: "500",
    WEBHOOKS_SWEEP_INTERVAL_MS: "500",
    WEBHOOKS_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
    WEBHOOKS_ALLOW_PRIVATE: "true",
    LEDGER_CHECK_INTERVAL_MS: "5000",
  };
}

/** Creates the run's admin with the admin CLI (the password on standard input, never in argv). */
export async function createAdmin(db: DatabaseTarget, email: string, password: string): Promise<void> {
  const child = execFile(
    process.execPath,
    [...NODE_ARGS, "src/cli/admin.ts", "create", "--email", email, "--name", "Chaos Admin"],
    { cwd: ROOT, env: { ...baseEnv(), DATABASE_URL: db.url } },
  );
  child.stdin?.end(`${password}\n`);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`the admin CLI exited with ${code}`);
}

export class MalipoCluster {
  readonly processes: ManagedProcess[];
  readonly urls: string[];
  readonly #stopKills = new AbortController();
  #killing: Promise<void> = Promise.resolve();

  private constructor(processes: ManagedProcess[], urls: string[]) {
    this.processes = processes;
    this.urls = urls;
  }

  static async start(input: {
    count: number;
    db: DatabaseTarget;
    emulatorUrl: string;
    secrets: ClusterSecrets;
    evidence: string;
  }): Promise<MalipoCluster> {
    const processes: ManagedProcess[] = [];
    const urls: string[] = [];
    for (let i = 0; i < input.count; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      urls.push(url);
      processes.push(
        new ManagedProcess({
          name: `malipo-${i + 1}`,
          args: [...NODE_ARGS, "src/main.ts"],
          env: malipoEnv(port, input.db, input.emulatorUrl, input.secrets),
          cwd: ROOT,
          logFile: join(input.evidence, `malipo-${i + 1}.log`),
          readyUrl: `${url}/health`,
        }),
      );
    }
    // One after the other: the first applies the migrations.
    for (const p of processes) await p.start();
    return new MalipoCluster(processes, urls);
  }

  get kills(): number {
    return this.processes.reduce((sum, p) => sum + p.kills, 0);
  }

  /** Runs the planned kills in the background until `finishKills` (at least `minimum` by then). */
  startKills(plan: ChaosPlan["kills"], minimum: number, onKill: (line: string) => void): void {
    const { signal } = this.#stopKills;
    this.#killing = (async () => {
      for (const [i, k] of plan.entries()) {
        // The traffic may end while this waits: then only the kills still missing, quickly.
        await sleep(signal.aborted ? 1_500 : k.afterMs, undefined, { signal }).catch(() => {});
        if (signal.aborted && i >= minimum) return;
        if (signal.aborted) await sleep(1_500);
        const target = this.processes[k.target % this.processes.length]!;
        await target.kill();
        onKill(`${new Date().toISOString()} SIGKILL ${target.options.name}; down ${k.downMs} ms`);
        await sleep(k.downMs);
        await target.start();
      }
    })();
  }

  /** Traffic is over: the remaining kills up to the minimum come quickly, then no more. */
  async finishKills(): Promise<void> {
    this.#stopKills.abort();
    await this.#killing;
  }

  async stop(): Promise<void> {
    await this.finishKills().catch(() => {});
    await Promise.all(this.processes.map((p) => p.stop()));
    await Promise.all(this.processes.map((p) => p.closeLog()));
  }
}
