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

/**
 * Makes the database refuse the `paid` event rows (of one payment, or of all), as a fault in the
 * middle of applying would.
 */
async function refusePaidEvents(on: boolean, transactionId = "") {
  const k = h.db.db.kysely;
  // Only letters, digits and "_" in our ids: safe to put in the trigger's text.
  const of = transactionId.replace(/[^a-z0-9_]/g, "");
  if (testEngine() === "sqlite") {
    if (on)
      await sql`CREATE TRIGGER refuse_paid BEFORE INSERT ON payment_events WHEN NEW.type = 'paid'
        AND (${sql.lit(of)} = '' OR NEW.transaction_id = ${sql.lit(of)})
        BEGIN SELECT RAISE(ABORT, 'paid events refused'); END`.execute(k);
    else await sql`DROP TRIGGER refuse_paid`.execute(k);
    return;
  }
  if (on) {
    await sql`CREATE FUNCTION refuse_paid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = 'paid' AND (${sql.lit(of)} = '' OR NEW.transaction_id = ${sql.lit(of)})
      THEN RAISE EXCEPTION 'paid events refused'; END IF; RETURN NEW; END $$`.execute(k);
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

/** A success callback for the attempt as its row stands (its Daraja ids), with `receipt`. */
const callbackOf = (
  row: { checkout_request_id: string | null; merchant_request_id: string | null },
  receipt: string,
) =>
  callbackBody({
    checkoutRequestId: row.checkout_request_id as string,
    merchantRequestId: row.merchant_request_id as string,
    receipt,
  });

describe(`the statements of a success callback (${testEngine()})`, () => {
  it("read the attempt once and write; no endpoints read again with none enabled, no review closed that cannot be open", async () => {
    const statements: string[] = [];
    h = await createPaymentsHarness({ db: { onQuery: (text) => statements.push(text) } });
    const payer = await h.payer();
    const { data } = await payer.start();
    const body = callbackOf(await h.row(data.transactionId), "UA33STMNTS");
    statements.length = 0;
    await receive(data.transactionId, body);
    const lower = statements.map((text) => text.toLowerCase());
    expect((await h.row(data.transactionId)).status).toBe("completed");
    // The facts read counts the endpoints itself; the outbox does not ask for them again.
    expect(
      lower.filter((text) => text.includes('from "webhook_endpoints"') && text.startsWith('select "id"')),
    ).toEqual([]);
    expect(lower.filter((text) => text.startsWith('update "payment_reviews"'))).toEqual([]);
    expect(lower.filter((text) => text.startsWith('select (select "f"."status"'))).toHaveLength(1);
    // BEGIN, the read, the attempt, transfer, entries, booking, fee, event, the callback, COMMIT.
    expect(lower).toHaveLength(10);
  });
});

describe(`callbacks that arrive together (${testEngine()})`, () => {
  it("share one commit; one that cannot be applied sinks none of the others", async () => {
    h = await createPaymentsHarness();
    const attempts: string[] = [];
    for (let i = 0; i < 4; i++) attempts.push((await (await h.payer()).start()).data.transactionId);
    await refusePaidEvents(true, attempts[1]);
    const bodies = await Promise.all(
      attempts.map(async (id, i) => callbackOf(await h.row(id), `UA${i}GROUPD1`)),
    );
    const before = h.db.db.writeGroups.stats();
    // Delivered in the same turn, as a burst from Daraja arrives.
    const answers = await Promise.all(attempts.map((id, i) => receive(id, bodies[i] as string)));
    expect(answers.every((a) => typeof a.callbackId === "string")).toBe(true);
    // The refused one's background try fails as well (the trigger is still there).
    await h.payments.callbacks.whenIdle();
    const after = h.db.db.writeGroups.stats();
    // Tried together first, then each alone when the refused one rolled the group back.
    expect(after.regrouped - before.regrouped).toBe(1);
    for (const [i, id] of attempts.entries()) {
      const [stored] = await h.callbacksOf(id);
      if (i === 1) {
        expect(stored).toMatchObject({ verdict: "received", processed_at: null });
        expect((await h.row(id)).status).toBe("pending");
      } else {
        expect(stored).toMatchObject({ verdict: "accepted" });
        expect((await h.row(id)).status).toBe("completed");
      }
    }
    expect((await h.balances()).booking_fee_escrow).toBe(-1500);

    // Three that arrive together with nothing refused commit as one group.
    await refusePaidEvents(false);
    const more: string[] = [];
    for (let i = 0; i < 3; i++) more.push((await (await h.payer()).start()).data.transactionId);
    const moreBodies = await Promise.all(
      more.map(async (id, i) => callbackOf(await h.row(id), `UA${i}GROUPD2`)),
    );
    const beforeMore = h.db.db.writeGroups.stats();
    await Promise.all(more.map((id, i) => receive(id, moreBodies[i] as string)));
    await h.payments.callbacks.whenIdle();
    const afterMore = h.db.db.writeGroups.stats();
    expect(afterMore.groups - beforeMore.groups).toBe(1);
    expect(afterMore.grouped - beforeMore.grouped).toBe(3);
    for (const id of more) expect((await h.row(id)).status).toBe("completed");
    expect((await h.balances()).booking_fee_escrow).toBe(-3000);
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
