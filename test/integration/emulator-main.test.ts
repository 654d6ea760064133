/**
 * `npm run emulator`, as a developer runs it: settings from the environment (port 0 picks a free
 * one), a banner with the base URL, credentials and every test number, and a clean stop on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_PASSKEY, stkPassword } from "../../src/daraja/password.ts";
import { PAYOUT_TEST_NUMBERS, TEST_NUMBERS } from "../../src/emulator/index.ts";
import { basicAuth, darajaPost, fetchToken, readAnswer, stkPushBody } from "../support/emulator.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const KEY = "acme-test-key";
const SECRET = "acme-test-secret";

let child: ChildProcess;
let stdout = "";
let stderr = "";
let baseUrl: string;
let exited: Promise<void>;

beforeAll(async () => {
  child = spawn("npm", ["run", "emulator"], {
    cwd: ROOT,
    // Only what npm needs plus the emulator's own settings: nothing leaks in from the test runner.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? ROOT,
      MPESA_EMULATOR_PORT: "0",
      HOST: "127.0.0.1",
      EMULATOR_CONSUMER_KEY: KEY,
      EMULATOR_CONSUMER_SECRET: SECRET,
      EMULATOR_TIME_SCALE: "0.01",
      EMULATOR_STRICT_TIMESTAMP: "true",
      EMULATOR_TOKEN_TTL_SECONDS: "120",
      LOG_LEVEL: "warn",
    },
    detached: true, // its own process group, so the stop below reaches npm and node
    stdio: ["ignore", "pipe", "pipe"],
  });
  exited = new Promise((resolve) => child.once("exit", () => resolve()));
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const deadline = Date.now() + 30_000;
  while (!/control API \S+\n/.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the emulator did not start:\n${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] ?? "";
}, 40_000);

afterAll(() => {
  // Whatever is left of the group started above (by its id); none of it should be.
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // ESRCH: the whole group has already exited.
  }
});

describe("npm run emulator", () => {
  it("prints its base URL, endpoints, credentials and every test number", () => {
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(stdout).toContain(`GET  ${baseUrl}/oauth/v1/generate?grant_type=client_credentials`);
    expect(stdout).toContain(`POST ${baseUrl}/mpesa/stkpush/v1/processrequest`);
    expect(stdout).toContain(`POST ${baseUrl}/mpesa/stkpushquery/v1/query`);
    expect(stdout).toContain(`consumer key     ${KEY}`);
    expect(stdout).toContain(`consumer secret  ${SECRET}`);
    expect(stdout).toContain(`shortcode 174379  passkey ${SANDBOX_PASSKEY}`);
    expect(stdout).toContain("time scale 0.01; prompt timeout 600 ms; strict timestamp true");
    for (const { msisdn, description } of TEST_NUMBERS) expect(stdout).toContain(`${msisdn}  ${description}`);
    for (const { msisdn, description } of PAYOUT_TEST_NUMBERS)
      expect(stdout).toContain(`${msisdn}  ${description}`);
    expect(stdout).toContain(`POST ${baseUrl}/mpesa/b2c/v3/paymentrequest`);
    expect(stdout).toContain("initiator testapi  password Safaricom999!*!");
    expect(stdout).toContain(`${baseUrl}/__emulator/certificate`);
    expect(stdout).toContain(`${baseUrl}/__emulator/phone/<number>`);
  });

  it("takes its settings from the environment", async () => {
    const info = await readAnswer(await fetch(`${baseUrl}/__emulator/info`));
    expect(info.json).toMatchObject({ baseUrl, consumerKey: KEY, timeScale: 0.01, strictTimestamp: true });
    const refused = await fetch(`${baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { Authorization: basicAuth("malipo-emulator-key", "malipo-emulator-secret") },
    });
    expect(refused.status).toBe(400);
    const issued = await fetch(`${baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { Authorization: basicAuth(KEY, SECRET) },
    });
    expect((await issued.json()).expires_in).toBe("120");

    const token = await fetchToken(baseUrl, KEY, SECRET);
    const utc = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const strict = await darajaPost(
      baseUrl,
      "/mpesa/stkpush/v1/processrequest",
      token,
      stkPushBody("254700001037", { Timestamp: utc, Password: stkPassword("174379", SANDBOX_PASSKEY, utc) }),
    );
    expect(strict.json?.errorMessage).toBe("Bad Request - Invalid Timestamp");

    // East Africa Time passes; the 60 s prompt timeout lasts 0.6 s at time scale 0.01.
    const pushed = await darajaPost(
      baseUrl,
      "/mpesa/stkpush/v1/processrequest",
      token,
      stkPushBody("254700001037"),
    );
    expect(pushed.status).toBe(200);
    const id = pushed.json?.CheckoutRequestID as string;
    const deadline = Date.now() + 5_000;
    let status = "pending";
    while (status === "pending" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const session = await readAnswer(await fetch(`${baseUrl}/__emulator/sessions/${id}`));
      status = (session.json?.session as { status?: string } | undefined)?.status ?? "missing";
    }
    expect(status).toBe("completed");
  });

  it("stops on SIGTERM and frees its port", async () => {
    if (child.pid === undefined) throw new Error("no process id");
    process.kill(-child.pid, "SIGTERM");
    await exited;
    // npm may exit before node has finished closing: wait for the port to be let go.
    const deadline = Date.now() + 10_000;
    let listening = true;
    while (listening && Date.now() < deadline) {
      listening = await fetch(`${baseUrl}/__emulator/info`).then(
        () => true,
        () => false,
      );
      if (listening) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listening).toBe(false);
    expect(stderr).not.toMatch(/error/i);
  });
});
