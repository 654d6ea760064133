/**
 * `npm start` as a child process (`node src/main.ts`, configured by its environment
 * only): live modes refuse to start without their credentials, naming them; emulator mode prints where
 * everything is, takes the README's curl payment, and stops cleanly on SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { notServing } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { createProcessTestDb, testEngine } from "../support/db.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "main.ts");

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startMain(env: Record<string, string>, cwd: string) {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd,
    // Only what we pass: nothing from the test runner's environment may configure it.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    exited,
    output: () => stdout,
    async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode}): ${stderr}${stdout}`);
        if (Date.now() > until) throw new Error(`no ${pattern} in output: ${stdout}${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stdout;
    },
  };
}

/** The README's curl block under `heading`. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split(`## ${heading}`)[1] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`README has no curl block under '${heading}'`);
  return block;
}

/** The README's curl walkthrough (paying a fee, then a technician's job), pointed at `apiBase`. */
function readmeCurlBlock(apiBase: string): string {
  const block = readmeBlock("Pay a booking fee with curl");
  const documented = "API=http://127.0.0.1:3000/api/v1";
  if (!block.includes(documented)) throw new Error(`README's curl block no longer starts with ${documented}`);
  return `${block.replace(documented, `API=${apiBase}`)}\n${readmeBlock("After payment: the booking's life and the money out")}`;
}

/** A "Daraja" that accepts connections and never answers: whatever calls it stays in flight. */
async function blackHole() {
  const sockets = new Set<Socket>();
  const waiters: Array<() => void> = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    async waitForCaller() {
      while (sockets.size === 0) await new Promise<void>((wake) => waiters.push(wake));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("npm start (src/main.ts)", () => {
  const credentials = {
    MPESA_CONSUMER_KEY: "key",
    MPESA_CONSUMER_SECRET: "secret",
    MPESA_PASSKEY: "passkey",
    MPESA_SHORTCODE: "174379",
    JWT_SECRET: "j".repeat(32),
    CALLBACK_SECRET: "c".repeat(32),
    METRICS_TOKEN: "m".repeat(16),
    PUBLIC_BASE_URL: "https://pay.example.com",
    MPESA_B2C_SHORTCODE: "600992",
    MPESA_INITIATOR_NAME: "malipo_api",
    MPESA_SECURITY_CREDENTIAL: "U2VjdXJpdHlDcmVkZW50aWFs",
  };

  it.each(["sandbox", "production"])(
    "with MPESA_ENVIRONMENT=%s and no credentials, refuses to start and names every missing variable",
    async (environment) => {
      const dir = mkdtempSync(join(tmpdir(), "malipo-main-"));
      try {
        const run = startMain({ MPESA_ENVIRONMENT: environment, PORT: "0" }, dir);
        const exit = await run.exited;
        expect(exit.code).toBe(1);
        for (const name of Object.keys(credentials))
          expect(exit.stderr).toMatch(
            new RegExp(`${name} is required when MPESA_ENVIRONMENT=${environment}`),
          );
        expect(exit.stdout).not.toContain("Malipo is running");
        // Nothing was started or created.
        expect(existsSync(join(dir, "data"))).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("names only what is still missing, and never echoes a secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "malipo-main-"));
    try {
      const { MPESA_PASSKEY: _missing, ...rest } = credentials;
      const exit = await startMain({ MPESA_ENVIRONMENT: "sandbox", ...rest, JWT_SECRET: "short-secret" }, dir)
        .exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain("MPESA_PASSKEY is required when MPESA_ENVIRONMENT=sandbox");
      expect(exit.stderr).toContain("JWT_SECRET must be at least 32 characters");
      expect(exit.stderr).not.toMatch(
        /MPESA_CONSUMER_KEY|MPESA_CONSUMER_SECRET|MPESA_SHORTCODE|CALLBACK_SECRET|METRICS_TOKEN|PUBLIC_BASE_URL|MPESA_B2C_SHORTCODE|MPESA_INITIATOR_NAME|MPESA_SECURITY_CREDENTIAL/,
      );
      expect(exit.stderr).not.toContain("short-secret");
      expect(exit.stderr).not.toContain("U2VjdXJpdHlDcmVkZW50aWFs");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`stops within SHUTDOWN_TIMEOUT_MS when a request in flight never finishes, exiting 1 with a log line (${testEngine()})`, async () => {
    const database = await createProcessTestDb();
    const daraja = await blackHole();
    const port = await freePort();
    const run = startMain(
      {
        PORT: String(port),
        MPESA_EMULATOR_PORT: "0",
        MPESA_BASE_URL: daraja.url,
        MPESA_TIMEOUT_MS: "120000",
        SHUTDOWN_TIMEOUT_MS: "300",
        LOG_LEVEL: "warn",
        DATABASE_URL: database.url,
      },
      database.dir,
    );
    try {
      await run.waitForOutput(/Database\s+\S+/);
      const api = `http://127.0.0.1:${port}/api/v1`;
      const post = (path: string, body: unknown, token?: string) =>
        fetch(`${api}${path}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
      const registered = await post("/auth/register", {
        name: "Wanjiku",
        email: "hang@example.com",
        password: "correct-horse",
      });
      const token = ((await registered.json()) as { data: { token: string } }).data.token;
      const created = await post("/bookings", { service: "Plumbing", location: "Kilimani" }, token);
      const booking = ((await created.json()) as { data: { booking: { id: string } } }).data.booking;
      // The push waits on a Daraja that never answers, so close() waits on it.
      const push = post(
        "/payments/mpesa/stkpush",
        { phoneNumber: "0708374149", bookingId: booking.id, type: "booking_fee" },
        token,
      ).catch(() => null);
      await daraja.waitForCaller();
      run.child.kill("SIGTERM");
      const exit = await run.exited;
      expect(exit).toMatchObject({ code: 1, signal: null });
      expect(exit.stderr).toContain("Malipo did not shut down within 300 ms; exiting");
      expect(exit.stdout).toMatch(/"msg":"shutdown did not finish in time; exiting"/);
      await push;
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
      await run.exited;
      await daraja.close();
      await database.cleanup();
    }
  });

  // A whole process, and the README run as written with its two waits for the emulator: 60 s.
  it(`in emulator mode prints the URLs, takes the README's curl payment, and stops cleanly on SIGTERM (${testEngine()})`, async () => {
    const database = await createProcessTestDb();
    const port = await freePort();
    // SQLite: no DATABASE_URL at all, so the default file under ./data/ is created on first start.
    const env: Record<string, string> = {
      PORT: String(port),
      MPESA_EMULATOR_PORT: "0",
      EMULATOR_TIME_SCALE: "0.01",
      LOG_LEVEL: "warn",
      ...(testEngine() === "postgres" ? { DATABASE_URL: database.url } : {}),
    };
    const run = startMain(env, database.dir);
    try {
      const out = await run.waitForOutput(/Database\s+\S+/);
      const base = `http://127.0.0.1:${port}`;
      expect(out).toContain("Malipo is running (M-Pesa: emulator)");
      expect(out).toContain(`API               ${base}/api/v1`);
      expect(out).toContain(`API docs          ${base}/docs`);
      expect(out).toContain(`Metrics           ${base}/metrics`);
      const emulatorUrl = /Daraja emulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      expect(emulatorUrl).toBeDefined();
      if (testEngine() === "sqlite")
        expect(existsSync(join(database.dir, "data", "malipo.sqlite"))).toBe(true);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      // The process checked its books on start.
      expect(((await ready.json()) as { ledger: unknown }).ledger).toMatchObject({ status: "balanced" });
      expect((await fetch(`${emulatorUrl}/__emulator`)).status).toBe(200);
      const metricsText = await (await fetch(`${base}/metrics`)).text();
      expect(metricsText).toContain("reconciler_backlog");
      expect(metricsText).toMatch(/^ledger_entries_sum_kes 0$/m);

      // A newcomer following the README pays a booking fee with curl alone, a technician does the
      // job, and the technician's payout leaves by B2C and succeeds.
      const script = readmeCurlBlock(`${base}/api/v1`);
      const curl = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile("bash", ["-e", "-c", script], { cwd: database.dir }, (error, stdout, stderr) =>
          resolve({ code: error ? 1 : 0, stdout, stderr }),
        );
      });
      expect(curl).toMatchObject({ code: 0, stderr: "" });
      const [status, booking, accepted, completed, payouts] = curl.stdout
        .trim()
        // curl prints each answer without a newline after it
        .replace(/\}\s*\{"success"/g, '}\n{"success"')
        .split("\n")
        .slice(-5)
        .map((line) => JSON.parse(line));
      expect(status.transaction).toMatchObject({
        status: "completed",
        amount: 500,
        phoneNumber: "254708374149",
      });
      expect(booking.data.booking).toMatchObject({ status: "matching", bookingFee: { status: "held" } });
      expect(accepted.data.booking).toMatchObject({ status: "assigned" });
      expect(completed.data.booking).toMatchObject({
        status: "completed",
        bookingFee: { status: "released" },
        // On its way at once: the running submitter hears of it as soon as it is queued.
        payout: {
          amount: 450,
          phoneNumber: "254712345678",
          status: expect.stringMatching(/^(queued|submitted|succeeded)$/),
        },
      });
      expect(payouts).toMatchObject({ success: true, count: 1 });
      expect(payouts.payouts[0]).toMatchObject({
        amount: 450,
        status: "succeeded",
        resultCode: "0",
        receipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
      });

      run.child.kill("SIGTERM");
      const exit = await run.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(await notServing(`${base}/health`)).toBe(true);
      expect(await notServing(`${emulatorUrl}/__emulator`)).toBe(true);
      // What the process left behind: the fee paid in once and released (commission kept, the rest
      // paid out to the technician), and books that agree with the rows.
      const db = database.open();
      try {
        await assertBooksBalanced(db.kysely);
        expect(await accountBalances(db.kysely)).toMatchObject({
          mpesa_clearing: 50,
          booking_fee_escrow: 0,
          platform_revenue: -50,
          technician_payable: 0,
        });
      } finally {
        await db.destroy();
      }
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
      await run.exited;
      await database.cleanup();
    }
  }, 60_000);
});
