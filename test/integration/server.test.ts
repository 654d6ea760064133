/**
 * `startMalipo` (what `npm start` runs) with its embedded emulator and reconciler, on free ports and a
 * database of its own: graceful shutdown finishes a request and a callback that are in flight before
 * it lets go of the database; a push whose answer comes too late is reconciled, never resent.
 *
 * Daraja calls go through a small proxy in front of the embedded emulator (MPESA_BASE_URL), so the
 * test can hold an STK Push or an STK Query in flight, or answer one late.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { type RunningMalipo, startMalipo } from "../../src/server.ts";
import { notServing } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { createProcessTestDb, type ProcessTestDb, testEngine } from "../support/db.ts";
import { startTestEmulator } from "../support/emulator.ts";

interface HeldCall {
  path: string;
  body: string;
  release(): void;
}

/** Forwards to `target`; calls matching `hold` wait until released. */
async function darajaProxy() {
  const held: HeldCall[] = [];
  const waiters: Array<() => void> = [];
  let target = "";
  let hold: (path: string, body: string) => boolean = () => false;
  let slow: { when: (path: string) => boolean; ms: number } = { when: () => false, ms: 0 };
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const path = req.url ?? "/";
    if (hold(path, body))
      await new Promise<void>((release) => {
        held.push({ path, body, release });
        for (const wake of waiters.splice(0)) wake();
      });
    const headers: Record<string, string> = {};
    for (const name of ["authorization", "content-type"])
      if (typeof req.headers[name] === "string") headers[name] = req.headers[name];
    const answer = await fetch(`${target}${path}`, {
      method: req.method ?? "GET",
      headers,
      ...(req.method === "GET" ? {} : { body }),
    });
    const text = await answer.text();
    if (slow.when(path)) await new Promise((resolve) => setTimeout(resolve, slow.ms));
    res.writeHead(answer.status, {
      "content-type": answer.headers.get("content-type") ?? "application/json",
    });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    held,
    forwardTo(base: string) {
      target = base;
    },
    holdWhen(predicate: (path: string, body: string) => boolean) {
      hold = predicate;
    },
    /** Forwards matching calls at once but answers them `ms` later (Daraja acted; the answer is late). */
    answerLate(when: (path: string) => boolean, ms: number) {
      slow = { when, ms };
    },
    /** Until `count` calls (on paths starting with `path`, when given) are held. */
    async waitForHeld(count: number, path = "") {
      const matching = () => held.filter((call) => call.path.startsWith(path)).length;
      while (matching() < count) await new Promise<void>((wake) => waiters.push(wake));
    },
    close() {
      for (const call of held) call.release();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The `data` of a success answer. */
async function dataOf<T>(res: Response): Promise<T> {
  return ((await res.json()) as { data: T }).data;
}

describe(`the running process (${testEngine()})`, () => {
  let database: ProcessTestDb;
  let proxy: Awaited<ReturnType<typeof darajaProxy>>;
  let malipo: RunningMalipo | null = null;
  beforeEach(async () => {
    database = await createProcessTestDb();
    proxy = await darajaProxy();
  });
  afterEach(async () => {
    await proxy.close(); // releases anything still held, so a failed test cannot hang the shutdown
    await malipo?.close();
    const db = database.open();
    try {
      await assertBooksBalanced(db.kysely);
    } finally {
      await db.destroy();
      await database.cleanup();
    }
  });

  /** startMalipo on free ports with its Daraja calls going through the proxy, and a signed-in customer. */
  async function start(env: Record<string, string> = {}) {
    const config = loadConfig({
      PORT: String(await freePort()),
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      MPESA_EMULATOR_PORT: "0",
      EMULATOR_TIME_SCALE: "0.01",
      MPESA_BASE_URL: proxy.url,
      MPESA_VERIFY_CALLBACKS: "true",
      LOG_LEVEL: "silent",
      ...env,
    });
    malipo = await startMalipo({
      config,
      logger: createLogger("silent"),
      webRoot: join(database.dir, "no-web"),
    });
    const running = malipo;
    proxy.forwardTo(running.emulatorUrl ?? "");
    const api = `${running.url}/api/v1`;
    expect((await fetch(`${running.url}/ready`)).status).toBe(200);
    const register = await fetch(`${api}/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Akinyi", email: "akinyi@example.com", password: "correct-horse" }),
    });
    const token = (await dataOf<{ token: string }>(register)).token;
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    return {
      running,
      api,
      auth,
      async newBooking() {
        const res = await fetch(`${api}/bookings`, {
          method: "POST",
          headers: auth,
          body: '{"service":"x"}',
        });
        return (await dataOf<{ booking: { id: string } }>(res)).booking.id;
      },
      /** The payment's status from the API, asked every 50 ms until `completed` or `timeoutMs` passed. */
      async statusOnceCompleted(transactionId: string, timeoutMs: number) {
        const until = Date.now() + timeoutMs;
        let status = "pending";
        while (status !== "completed" && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          const answer = await fetch(`${api}/payments/mpesa/status/${transactionId}`, { headers: auth });
          status = ((await answer.json()) as { transaction: { status: string } }).transaction.status;
        }
        return status;
      },
      push(bookingId: string, phoneNumber: string) {
        return fetch(`${api}/payments/mpesa/stkpush`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ phoneNumber, bookingId, type: "booking_fee" }),
        });
      },
    };
  }

  it("finishes an in-flight STK Push request and an in-flight callback, then closes every piece", async () => {
    const { running, push, newBooking } = await start();

    // 1. A payment whose callback arrives, and whose confirming STK Query is held: processing in flight.
    proxy.holdWhen((path) => path.startsWith("/mpesa/stkpushquery/"));
    const paid = await push(await newBooking(), "0708374149");
    expect(paid.status).toBe(201);
    const paidId = (await dataOf<{ transactionId: string }>(paid)).transactionId;
    await proxy.waitForHeld(1);
    // Daraja had its answer at once: the callback is recorded and answered before it is confirmed.
    const delivery = await running.emulator?.deliveries.waitFor((d) => d.status === "answered", 3_000);
    expect(delivery).toMatchObject({ responseStatus: 200 });
    expect(delivery?.durationMs).toBeLessThan(1_000);

    // 2. Another payment whose STK Push is held: a request in flight.
    proxy.holdWhen((path) => path.startsWith("/mpesa/stkpush/") || path.startsWith("/mpesa/stkpushquery/"));
    const pending = push(await newBooking(), "0712345678");
    // Wait for the push itself: on a busy machine the held query may time out and be asked again.
    await proxy.waitForHeld(1, "/mpesa/stkpush/");
    // The attempt was committed before Daraja was called: a crash now would not lose it.
    const probe = database.open();
    try {
      const rows = await probe.kysely
        .selectFrom("payment_transactions")
        .select(["status", "checkout_request_id"])
        .where("phone_number", "=", "254712345678")
        .execute();
      expect(rows).toEqual([{ status: "initiated", checkout_request_id: null }]);
    } finally {
      await probe.destroy();
    }

    let closed = false;
    const closing = running.close().then(() => {
      closed = true;
    });
    // No new connections while it drains; the work in flight holds the shutdown open.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await notServing(`${running.url}/health`)).toBe(true);
    expect(closed).toBe(false);

    const heldPush = proxy.held.find((call) => call.path.startsWith("/mpesa/stkpush/"));
    const heldQueries = proxy.held.filter((call) => call.path.startsWith("/mpesa/stkpushquery/"));
    heldPush?.release();
    const answer = await pending;
    expect(answer.status).toBe(201);
    // Its keep-alive connection ends with the answer instead of holding the server open.
    expect(answer.headers.get("connection")).toBe("close");
    const pendingId = (await dataOf<{ transactionId: string }>(answer)).transactionId;
    // The HTTP side has drained, but the callback is still being confirmed: shutdown waits for it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closed).toBe(false);
    for (const query of heldQueries) query.release();
    const late = new Promise((resolve) => setTimeout(() => resolve("still closing"), 3_000));
    expect(await Promise.race([closing.then(() => "closed"), late])).toBe("closed");
    malipo = null;
    await running.close(); // a second call (a second signal) is harmless

    // Everything is let go: HTTP server, emulator, database pool.
    expect(await notServing(`${running.url}/health`)).toBe(true);
    expect(await notServing(`${running.emulatorUrl}/__emulator`)).toBe(true);
    await expect(sql`select 1`.execute(running.db.kysely)).rejects.toThrow();

    // And the work in flight was finished, not dropped.
    const db = database.open();
    try {
      const rows = await db.kysely
        .selectFrom("payment_transactions")
        .select(["id", "status", "checkout_request_id"])
        .orderBy("created_at")
        .execute();
      expect(rows).toEqual([
        { id: paidId, status: "completed", checkout_request_id: expect.stringMatching(/^ws_CO_/) },
        { id: pendingId, status: "pending", checkout_request_id: expect.stringMatching(/^ws_CO_/) },
      ]);
      const callbacks = await db.kysely
        .selectFrom("mpesa_callbacks")
        .select(["transaction_id", "verdict"])
        .execute();
      expect(callbacks).toEqual([{ transaction_id: paidId, verdict: "accepted" }]);
      const escrow = await db.kysely
        .selectFrom("ledger_entries")
        .select("amount")
        .where("account_code", "=", "booking_fee_escrow")
        .execute();
      expect(escrow).toEqual([{ amount: -500 }]);
    } finally {
      await db.destroy();
    }
  });

  it("with MPESA_EMULATOR_EMBEDDED=false starts no emulator of its own and pays against a separately run one", async () => {
    const separate = await startTestEmulator();
    try {
      const { running, push, newBooking, statusOnceCompleted } = await start({
        MPESA_EMULATOR_EMBEDDED: "false",
        MPESA_BASE_URL: separate.baseUrl,
      });
      expect(running.emulator).toBeNull();
      // The one the pages' simulated-phone links point at.
      expect(running.emulatorUrl).toBe(separate.baseUrl);
      const res = await push(await newBooking(), "0708374149");
      const { transactionId } = await dataOf<{ transactionId: string }>(res);
      expect(await statusOnceCompleted(transactionId, 10_000)).toBe("completed");
      expect(separate.emulator.requests.list({ path: "/mpesa/stkpush/v1/processrequest" })).toHaveLength(1);
    } finally {
      await malipo?.close();
      await separate.close();
    }
  });

  it("runs the reconciler on its own timer: a payment whose callback never came is settled by STK Query", async () => {
    const { running, push, newBooking, statusOnceCompleted } = await start({ RECONCILER_INTERVAL_MS: "50" });
    const res = await push(await newBooking(), "0700009001"); // pays; Daraja never calls back
    const { transactionId, checkoutRequestId } = await dataOf<{
      transactionId: string;
      checkoutRequestId: string;
    }>(res);
    await running.emulator?.sessions.waitFor(
      (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
    );
    // Make its first check due now instead of in 30 s.
    const db = database.open();
    try {
      await db.kysely
        .updateTable("payment_transactions")
        .set({ next_check_at: new Date(Date.now() - 1_000).toISOString() })
        .where("id", "=", transactionId)
        .execute();
    } finally {
      await db.destroy();
    }
    expect(await statusOnceCompleted(transactionId, 5_000)).toBe("completed");
  });

  it("a push whose answer comes after the client's timeout stays pending, is never resent, and the signed callback completes it", async () => {
    const { running, api, auth, push, newBooking } = await start({ MPESA_TIMEOUT_MS: "300" });
    // Daraja creates the prompt at once but its answer arrives after our 300 ms timeout.
    proxy.answerLate((path) => path.startsWith("/mpesa/stkpush/"), 1_500);
    const res = await push(await newBooking(), "0708374149");
    expect(res.status).toBe(201);
    const data = await dataOf<{ transactionId: string; checkoutRequestId: string | null }>(res);
    expect(data.checkoutRequestId).toBeNull();
    const status = async () => {
      const answer = await fetch(`${api}/payments/mpesa/status/${data.transactionId}`, { headers: auth });
      return ((await answer.json()) as { transaction: { status: string; mpesaReceiptNumber: string | null } })
        .transaction;
    };
    const until = Date.now() + 10_000;
    let seen = await status();
    expect(["pending", "completed"]).toContain(seen.status);
    while (seen.status !== "completed" && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await status();
    }
    expect(seen).toMatchObject({ status: "completed", mpesaReceiptNumber: expect.any(String) });
    // One prompt, one push: an STK Push whose outcome is unknown is reconciled, never sent again.
    expect(running.emulator?.requests.list({ path: "/mpesa/stkpush/v1/processrequest" })).toHaveLength(1);
    expect(running.emulator?.sessions.list({ phoneNumber: "254708374149" })).toHaveLength(1);
  });
});
