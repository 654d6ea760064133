/**
 * The submitter as processes run it: two of them sweeping the same database at once send each
 * payout exactly once (leases, compare-and-set); its in-memory queue is bounded, and what does not
 * fit waits for the next sweep. Real server, Daraja clients and emulator; the books after each test.
 */
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import { createPayoutSending } from "../../src/payouts/payout-sending.ts";
import { createPayoutsService } from "../../src/payouts/payouts.service.ts";
import { createPayoutSubmitter } from "../../src/payouts/submitter.ts";
import { completedBooking } from "../support/escrow.ts";
import { emulatorDarajaClient, type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";

let s: PaymentsStack;
let p: PayoutsDriver;
withPaymentsStack((stack) => {
  s = stack;
  p = payoutsDriver(stack);
});

const payout = (id: string) => ({ kind: "payout" as const, id });

/** Another process: its own database connection, Daraja client and payouts module. */
function anotherProcess() {
  const db = createDatabase(s.t.db.url, s.t.db.schema ? { schema: s.t.db.schema } : {});
  const logger = createLogger("silent");
  const payouts = createPayoutsService({ db, clock: s.clock, logger });
  const daraja = emulatorDarajaClient(s.emulator.baseUrl, s.clock, s.emulator.emulator.certificatePem);
  const sending = createPayoutSending({ config: s.t.config, db, clock: s.clock, logger, payouts, daraja });
  return { payouts, sending, daraja, db, close: () => db.destroy() };
}

describe("the submitter across processes", () => {
  it("two processes sweeping at once send each payout once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await completedBooking(s)).payoutId);
    const other = anotherProcess();
    try {
      await Promise.all([s.t.services.payoutSubmitter.runOnce(), other.sending.submitter.runOnce()]);
      for (const id of ids) await p.waitFor(payout(id), ["succeeded"]);
      for (const id of ids) {
        const sent = s.emulator.emulator.conversations.list({ originatorConversationId: `${id}-1` });
        expect(sent.map((c) => c.api)).toEqual(["b2c"]);
      }
      // A second sweep by either finds nothing left to do.
      const again = await Promise.all([
        s.t.services.payoutSubmitter.runOnce(),
        other.sending.submitter.runOnce(),
      ]);
      expect(again.map((x) => x.due)).toEqual([0, 0]);
    } finally {
      await other.close();
    }
  });

  it("holds at most its queue's worth; the rest waits for the next sweep", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await completedBooking(s)).payoutId);
    const other = anotherProcess();
    try {
      const { payouts, db, daraja } = other;
      const small = createPayoutSubmitter(
        {
          db,
          clock: s.clock,
          logger: createLogger("silent"),
          daraja,
          urls: { publicBaseUrl: s.t.config.publicBaseUrl, secret: s.t.config.callbackSecret },
          timings: payouts.timings,
          apply: payouts.applyEvent,
          onChange: payouts.onChange,
          announce: payouts.announce,
          processResult: async () => "received",
          finishWaitingResults: async () => {},
        },
        { intervalMs: 60_000, queueLimit: 2, concurrency: 1 },
      );
      expect((await small.runOnce()).due).toBe(2);
      expect((await small.runOnce()).due).toBe(1);
      for (const id of ids) await p.waitFor(payout(id), ["succeeded"]);
      expect((await small.runOnce()).due).toBe(0);
    } finally {
      await other.close();
    }
  });
});
