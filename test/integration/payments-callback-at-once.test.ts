/**
 * The common case of a callback, applied in the request that delivered it (one write transaction),
 * and record first kept when applying fails: the callback is still stored and answered, and
 * finished later.
 */
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { callbackSignature } from "../../src/payments/callback-url.ts";
import { Secret } from "../../src/secret.ts";
import { testEngine } from "../support/db.ts";
import {
  CALLBACK_SECRET,
  callbackBody,
  checkoutIdFor,
  createPaymentsHarness,
  type PaymentsHarness,
} from "../support/payments.ts";

let h: PaymentsHarness;
afterEach(async () => {
  await h?.close();
});

/** Delivers a signed callback without waiting for any background work. */
function receive(transactionId: string, body: string) {
  return h.payments.callbacks.receive({
    rawBody: body,
    tx: transactionId,
    sig: callbackSignature(new Secret(CALLBACK_SECRET), transactionId),
    sourceIp: "196.201.214.200",
  });
}

/** Makes the database refuse the `paid` event rows, as a fault in the middle of applying would. */
async function refusePaidEvents(on: boolean) {
  const k = h.db.db.kysely;
  if (testEngine() === "sqlite") {
    if (on)
      await sql`CREATE TRIGGER refuse_paid BEFORE INSERT ON payment_events WHEN NEW.type = 'paid'
        BEGIN SELECT RAISE(ABORT, 'paid events refused'); END`.execute(k);
    else await sql`DROP TRIGGER refuse_paid`.execute(k);
    return;
  }
  if (on) {
    await sql`CREATE FUNCTION refuse_paid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = 'paid' THEN RAISE EXCEPTION 'paid events refused'; END IF; RETURN NEW; END $$`.execute(
      k,
    );
    await sql`CREATE TRIGGER refuse_paid BEFORE INSERT ON payment_events FOR EACH ROW EXECUTE FUNCTION refuse_paid()`.execute(
      k,
    );
  } else await sql`DROP TRIGGER refuse_paid ON payment_events`.execute(k);
}

describe(`a success callback that can be applied at once (${testEngine()})`, () => {
  it("is stored with its verdict and applied before it is answered, nothing left in the background", async () => {
    h = await createPaymentsHarness();
    const payer = await h.payer();
    const { data } = await payer.start();
    const background = h.payments.context.background;
    const run = background.run.bind(background);
    let started = 0;
    background.run = (work) => {
      started++;
      run(work);
    };
    const body = callbackBody({ checkoutRequestId: checkoutIdFor(1), receipt: "UA11AT0NCE" });
    const { callbackId } = await receive(data.transactionId, body);
    // Read at once, without waiting for background work: it is all committed already.
    const [stored] = await h.callbacksOf(data.transactionId);
    expect(stored).toMatchObject({ id: callbackId, verdict: "accepted", failures: 0, raw_body: body });
    expect(stored?.processed_at).not.toBeNull();
    expect(await h.row(data.transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: "UA11AT0NCE",
      paid_amount: 500,
    });
    const balances = await h.balances();
    expect(balances.booking_fee_escrow).toBe(-500);
    expect(started).toBe(0);
    // A second copy is recorded as a duplicate the same way, and moves no money.
    await receive(data.transactionId, body);
    const verdicts = (await h.callbacksOf(data.transactionId)).map((c) => c.verdict);
    expect(verdicts.sort()).toEqual(["accepted", "duplicate"]);
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
    expect(started).toBe(0);
  });
});

describe(`a callback whose application fails (${testEngine()})`, () => {
  it("is still stored and answered; nothing of the apply is written, and the reconciler finishes it", async () => {
    h = await createPaymentsHarness();
    const payer = await h.payer();
    const { data } = await payer.start();
    await refusePaidEvents(true);
    const body = callbackBody({ checkoutRequestId: checkoutIdFor(1), receipt: "UA22FAULTY" });
    const result = await h.deliver(data.transactionId, body);
    expect(result).toHaveProperty("callbackId");
    const [stored] = await h.callbacksOf(data.transactionId);
    expect(stored).toMatchObject({ verdict: "received", raw_body: body, processed_at: null });
    // The background try failed as well, and was counted.
    expect(stored?.failures).toBe(1);
    expect(await h.row(data.transactionId)).toMatchObject({ status: "pending", mpesa_receipt_number: null });
    expect((await h.balances()).booking_fee_escrow).toBe(0);
    const fee = await h.db.db.kysely
      .selectFrom("booking_fees")
      .select("status")
      .where("booking_id", "=", payer.bookingId)
      .executeTakeFirstOrThrow();
    expect(fee.status).toBe("pending");

    await refusePaidEvents(false);
    // Past the failed try's lease.
    h.clock.advance(61_000);
    expect(await h.payments.reconciler.runOnce()).toMatchObject({ callbacks: 1 });
    expect((await h.callbacksOf(data.transactionId)).map((c) => c.verdict)).toEqual(["accepted"]);
    expect(await h.row(data.transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: "UA22FAULTY",
    });
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
  });
});
