/**
 * One chaos run on one engine, start to verdict: the emulator and Malipo as processes, the people
 * and the receiver, the traffic with kills and receiver outages under way, then the wait until
 * nothing is moving, and the checks against the emulator's record, the books and the logs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EMULATOR_DEFAULT_CONSUMER_SECRET } from "../../src/config.ts";
import { SANDBOX_PASSKEY } from "../../src/daraja/password.ts";
import { DEFAULT_INITIATOR } from "../../src/emulator/index.ts";
import { booksProblems } from "../../src/ledger/books.ts";
import { assertLedgerBalanced } from "../../src/ledger/ledger.ts";
import { checkMoney, checkSettled, checkWebhooks, type Tally, tally } from "./checks.ts";
import { MalipoClient } from "./client.ts";
import {
  createAdmin,
  createDatabaseTarget,
  type Engine,
  MalipoCluster,
  newSecrets,
  ROOT,
  startEmulator,
  WEBHOOK_TIMEOUT_MS,
} from "./cluster.ts";
import { scanLog, summariseFindings } from "./log-scan.ts";
import { type PaymentResult, runCustomer } from "./payment-flow.ts";
import { pool, registerReceiver, scriptEmulator, signUp } from "./people.ts";
import { makePlan } from "./plan.ts";
import { WebhookReceiver } from "./receiver.ts";
import { openWork, pendingPrompts, readDarajaRecord, readMalipoRecord } from "./records.ts";
import { summaryTable } from "./summary.ts";

export interface RunOptions {
  engine: Engine;
  seed: string;
  payments: number;
  keep: boolean;
  /** Where the evidence folders go. */
  outDir: string;
  /** How long to wait for everything to settle after the traffic. */
  settleMs: number;
  postgresUrl: string;
  log: (line: string) => void;
}

export interface RunResult {
  engine: Engine;
  tally: Tally | null;
  kills: number;
  violations: string[];
  evidence: string;
  seconds: number;
}

export async function runChaos(o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const evidence = join(o.outDir, `${o.engine}-${o.seed}-${stamp}`);
  mkdirSync(evidence, { recursive: true });
  const processes = o.engine === "postgres" ? 2 : 1;
  const plan = makePlan({
    seed: o.seed,
    payments: o.payments,
    processes,
    kills: 3,
    horizonMs: 2 * 3_600_000,
  });
  const violations: string[] = [];
  const secrets = newSecrets();
  const admin = { email: `admin-${o.seed}@chaos.example`, password: `admin-${o.seed}-password` };
  o.log(`[${o.engine}] evidence in ${evidence}`);

  const emulator = await startEmulator(evidence);
  const db = await createDatabaseTarget(o.engine, o.seed, evidence, o.postgresUrl);
  const receiver = new WebhookReceiver(plan.receiver, WEBHOOK_TIMEOUT_MS * 2);
  let cluster: MalipoCluster | null = null;
  let resultTally: Tally | null = null;
  let endpointSecret = "";
  let tokens: string[] = [];
  let passwords: string[] = [admin.password];
  try {
    await createAdmin(db, admin.email, admin.password);
    cluster = await MalipoCluster.start({
      count: processes,
      db,
      emulatorUrl: emulator.url,
      secrets,
      evidence,
    });
    const client = new MalipoClient(cluster.urls);
    const receiverUrl = await receiver.listen();
    o.log(
      `[${o.engine}] ${processes} Malipo process(es) on ${db.where}; signing up ${plan.customers.length} customers, ${plan.technicians.length} technicians`,
    );
    const people = await signUp(client, plan, admin);
    tokens = people.tokens;
    passwords = people.passwords;
    endpointSecret = await registerReceiver(client, people.admin, receiverUrl);
    receiver.secret = endpointSecret;
    await scriptEmulator(emulator.url, plan);

    o.log(`[${o.engine}] ${o.payments} payments from ${plan.customers.length} customers, kills under way`);
    receiver.begin();
    cluster.startKills(plan.kills, 3, (line) => o.log(`[${o.engine}] ${line}`));
    const flow = { client, emulatorUrl: emulator.url, plan, people, notes: [] as string[] };
    const results: PaymentResult[] = (
      await pool(people.customers, 300, (c) =>
        runCustomer(
          flow,
          c,
          plan.payments.filter((p) => p.customer === c.index),
        ),
      )
    ).flat();
    await cluster.finishKills();
    receiver.recover();
    o.log(
      `[${o.engine}] traffic done in ${Math.round((Date.now() - started) / 1000)} s; ${cluster.kills} kills; settling`,
    );
    writeFileSync(join(evidence, "payments.json"), JSON.stringify(results, null, 1));
    writeFileSync(
      join(evidence, "client.json"),
      JSON.stringify({ stats: client.stats, notes: flow.notes }, null, 1),
    );

    const conn = db.open();
    try {
      const settleStarted = Date.now();
      const open = await settle(conn.kysely, emulator.url, o.settleMs, (line) =>
        o.log(`[${o.engine}] ${line}`),
      );
      o.log(
        `[${o.engine}] settled in ${Math.round((Date.now() - settleStarted) / 1000)} s: ${JSON.stringify(open)}`,
      );
      await cluster.stop();
      const daraja = await readDarajaRecord(emulator.url);
      const endpoint = await conn.kysely.selectFrom("webhook_endpoints").select("id").executeTakeFirst();
      const malipo = await readMalipoRecord(conn.kysely, endpoint?.id ?? null);
      writeFileSync(join(evidence, "daraja-record.json"), JSON.stringify(daraja, null, 1));
      writeFileSync(join(evidence, "malipo-record.json"), JSON.stringify(malipo, null, 1));
      violations.push(...checkMoney(daraja, malipo), ...checkSettled(daraja, malipo));
      violations.push(...checkWebhooks(malipo, receiver.stats));
      try {
        await assertLedgerBalanced(conn.kysely);
      } catch (error) {
        violations.push(`ledger: ${(error as Error).message}`);
      }
      violations.push(...(await booksProblems(conn.kysely)).map((p) => `books: ${p}`));
      resultTally = tally(daraja, malipo, receiver.stats);
    } finally {
      await conn.destroy();
    }
  } catch (error) {
    violations.push(`the run itself failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await cluster?.stop();
    await emulator.process.stop();
    await emulator.process.closeLog();
    await receiver.close();
  }
  for (const p of [...(cluster?.processes ?? []), emulator.process]) violations.push(...p.unexpectedExits);

  const known = {
    "session token": tokens,
    password: passwords,
    "webhook signing secret": [endpointSecret],
    "JWT or callback signing secret": [secrets.jwt, secrets.callback],
    "Daraja credential": [EMULATOR_DEFAULT_CONSUMER_SECRET, SANDBOX_PASSKEY, DEFAULT_INITIATOR.password],
  };
  const logs = (cluster?.processes ?? []).map((p) => p.options.logFile);
  const findings = logs.flatMap((file) =>
    scanLog(file.replace(`${ROOT}`, ""), readFileSync(file, "utf8"), known),
  );
  violations.push(...summariseFindings(findings).map((line) => `log: ${line}`));

  const dump = await db.dump(evidence).catch((error: Error) => `(no dump: ${error.message})`);
  if (!o.keep) await db.drop();
  writeFileSync(join(evidence, "violations.txt"), `${violations.join("\n")}\n`);
  o.log(`[${o.engine}] database: ${dump}${o.keep ? ` (kept: ${db.where})` : ""}`);
  const result: RunResult = {
    engine: o.engine,
    tally: resultTally,
    kills: cluster?.kills ?? 0,
    violations,
    evidence,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(join(evidence, "result.json"), JSON.stringify(result, null, 1));
  writeFileSync(
    join(evidence, "summary.md"),
    `seed ${o.seed}, ${o.payments} payments\n\n${summaryTable([result])}\n`,
  );
  return result;
}

/** Waits until nothing is moving (twice in a row), or the deadline; returns what is still open. */
async function settle(
  db: Parameters<typeof openWork>[0],
  emulatorUrl: string,
  deadlineMs: number,
  log: (line: string) => void,
): Promise<Record<string, number>> {
  const until = Date.now() + deadlineMs;
  let quiet = 0;
  let open: Record<string, number> = {};
  for (let round = 1; Date.now() < until; round++) {
    open = await openWork(db);
    if (round % 10 === 0) log(`still open: ${JSON.stringify(open)}`);
    const pending = await pendingPrompts(emulatorUrl);
    quiet = Object.values(open).every((n) => n === 0) && pending === 0 ? quiet + 1 : 0;
    if (quiet >= 2) break;
    await sleep(1_000);
  }
  return open;
}
