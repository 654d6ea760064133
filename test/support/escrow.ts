/**
 * Escrow out, for integration tests on a payments stack: bookings paid through the emulator,
 * technicians with M-Pesa numbers, the booking-life routes, and a snapshot of everything a refusal
 * must leave unchanged.
 */
import type { LightMyRequestResponse } from "fastify";
import type { Booking } from "../../src/bookings/booking.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { findItem, type ItemRef, markSubmitStarted } from "../../src/payouts/payout.repository.ts";
import { originatorConversationIdFor } from "../../src/payouts/submission-policy.ts";
import type { TestApp } from "./app.ts";
import { bearer, type RegisteredUser, registerUser } from "./app.ts";
import { type PaymentsStack, pushBody } from "./payments.ts";

export interface PaidBooking {
  token: string;
  userId: string;
  bookingId: string;
  transactionId: string;
}

/**
 * A customer whose booking fee 254708374149 (or `payer`, which the emulator must pay at once: a
 * payout test number, say) paid: the booking is `matching`, the fee held.
 */
export async function paidBooking(s: PaymentsStack, payer = "0708374149"): Promise<PaidBooking> {
  const c = await s.customer();
  const res = await s.stkPush(c.token, pushBody(c.bookingId, payer));
  if (res.statusCode !== 201) throw new Error(`push failed: ${res.statusCode} ${res.body}`);
  const transactionId = res.json().data.transactionId as string;
  await s.waitForStatus(c.token, transactionId, ["completed"]);
  return { ...c, transactionId };
}

let phoneSequence = 0;
/** A technician with a distinct M-Pesa number (or none). */
export async function technician(s: PaymentsStack, options: { phone?: string | null } = {}) {
  phoneSequence += 1;
  const phone =
    options.phone === undefined ? `2547${String(10_000_000 + phoneSequence).slice(-8)}` : options.phone;
  return registerUser(s.t.app, { role: "technician", ...(phone === null ? {} : { phoneNumber: phone }) });
}

export interface LifeRoutes {
  accept(who: RegisteredUser | string, bookingId: string): Promise<LightMyRequestResponse>;
  complete(who: RegisteredUser | string, bookingId: string): Promise<LightMyRequestResponse>;
  cancel(who: RegisteredUser | string, bookingId: string, reason?: unknown): Promise<LightMyRequestResponse>;
  assign(
    admin: RegisteredUser | string,
    bookingId: string,
    technicianId: unknown,
  ): Promise<LightMyRequestResponse>;
  get(who: RegisteredUser | string, url: string): Promise<LightMyRequestResponse>;
  booking(who: RegisteredUser | string, bookingId: string): Promise<Booking>;
}

const tokenOf = (who: RegisteredUser | string) => (typeof who === "string" ? who : who.token);

export function lifeRoutes(s: PaymentsStack): LifeRoutes {
  const post = (who: RegisteredUser | string, url: string, payload?: unknown) =>
    s.t.app.inject({
      method: "POST",
      url: `/api/v1${url}`,
      headers: bearer(tokenOf(who)),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const routes: LifeRoutes = {
    accept: (who, id) => post(who, `/bookings/${id}/accept`),
    complete: (who, id) => post(who, `/bookings/${id}/complete`),
    cancel: (who, id, reason = "Changed my mind") => post(who, `/bookings/${id}/cancel`, { reason }),
    assign: (admin, id, technicianId) => post(admin, `/admin/bookings/${id}/assign`, { technicianId }),
    get: (who, url) => s.t.app.inject({ method: "GET", url: `/api/v1${url}`, headers: bearer(tokenOf(who)) }),
    async booking(who, id) {
      const res = await routes.get(who, `/bookings/${id}`);
      if (res.statusCode !== 200) throw new Error(`read booking failed: ${res.statusCode} ${res.body}`);
      return res.json().data.booking as Booking;
    },
  };
  return routes;
}

/** A booking accepted by a new technician (paid at `phone`) and completed: its fee released, a payout queued. */
export async function completedBooking(s: PaymentsStack, options: { phone?: string } = {}) {
  const c = await paidBooking(s);
  const tech = await technician(s, options.phone === undefined ? {} : { phone: options.phone });
  const r = lifeRoutes(s);
  if ((await r.accept(tech, c.bookingId)).statusCode !== 200) throw new Error("accept failed");
  const done = await r.complete(tech, c.bookingId);
  if (done.statusCode !== 200) throw new Error(`complete failed: ${done.body}`);
  const payoutId = done.json().data.booking.payout.id as string;
  return { c, tech, payoutId };
}

/** A paid booking (paid from `payer`) cancelled by its customer: its fee refunded, a refund queued. */
export async function cancelledBooking(s: PaymentsStack, payer?: string) {
  const c = await paidBooking(s, payer);
  const res = await lifeRoutes(s).cancel(c.token, c.bookingId);
  if (res.statusCode !== 200) throw new Error(`cancel failed: ${res.body}`);
  const refundId = res.json().data.booking.refund.id as string;
  return { c, refundId };
}

/** Everything a refused request must leave as it was: the booking, its fee, money out, events, books. */
export async function snapshot(s: PaymentsStack, bookingId: string) {
  const k = s.t.db.db.kysely;
  const [booking, fee, payouts, refunds, bookingEvents, payoutEvents, transfers, balances] =
    await Promise.all([
      k.selectFrom("bookings").selectAll().where("id", "=", bookingId).executeTakeFirst(),
      k.selectFrom("booking_fees").selectAll().where("booking_id", "=", bookingId).executeTakeFirst(),
      k.selectFrom("payouts").selectAll().where("booking_id", "=", bookingId).execute(),
      k.selectFrom("refunds").selectAll().where("booking_id", "=", bookingId).execute(),
      k
        .selectFrom("booking_events")
        .selectAll()
        .where("booking_id", "=", bookingId)
        .orderBy("created_at")
        .execute(),
      k.selectFrom("payout_events").select("id").execute(),
      k.selectFrom("ledger_transfers").select("id").execute(),
      accountBalances(k),
    ]);
  return { booking, fee, payouts, refunds, bookingEvents, payoutEvents, transfers, balances };
}

let settled = 0;
/**
 * Pays a queued payout or refund out as Daraja would confirm it (the send recorded, accepted, then a
 * matching successful result), through the one apply path. Nothing on this branch submits to Daraja
 * yet, so tests that need money to have left use this.
 */
export async function settleMoneyOut(t: Pick<TestApp, "db" | "services" | "clock">, ref: ItemRef) {
  const item = await findItem(t.db.db.kysely, ref);
  if (!item) throw new Error(`no ${ref.kind} ${ref.id}`);
  settled += 1;
  const conversationId = `AG_20260115_9${String(settled).padStart(5, "0")}`;
  const originatorConversationId =
    ref.kind === "payout" ? originatorConversationIdFor(ref.id, 1) : `10571-9${settled}-1`;
  const at = t.clock.now();
  if (!(await markSubmitStarted(t.db.db.kysely, ref, { attempt: 1, originatorConversationId, at })))
    throw new Error(`${ref.kind} ${ref.id} could not be marked sent`);
  const apply = t.services.payouts.applyEvent;
  const accepted = await apply(
    ref,
    { type: "submit_accepted", conversationId, originatorConversationId },
    "submit",
  );
  if (!accepted.applied) throw new Error(`submit not accepted: ${accepted.reason}`);
  const facts = {
    resultCode: "0",
    resultDesc: "The service request is processed successfully.",
    conversationId,
    originatorConversationId,
    receipt: `SH${String(settled).padStart(8, "0")}`,
    amount: item.row.amount,
    recipient: item.row.phone_number,
    originalReceipt: item.kind === "refund" ? item.row.original_receipt : null,
  };
  const done = await apply(ref, { type: "result_success", facts }, "result");
  if (!done.applied || done.to !== "succeeded")
    throw new Error(`result not applied: ${JSON.stringify(done)}`);
}
