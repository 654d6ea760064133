/**
 * A settled world for the suites that throw everything at every route (the fuzz, the
 * authorization matrix): every kind of resource exists, owned by someone, and all money in it has
 * finished moving — so whatever a hostile request does, a change to the books is a defect.
 *
 * - customer A: booking B1 paid (P1), done by technician T1, whose payout was paid; booking B2 paid
 *   (P2), cancelled, its refund paid; booking B4 never paid.
 * - customer C and technician T2: the "other" people, owning nothing of the above; C has a booking
 *   cancelled before it was paid.
 * - an admin; two webhook endpoints (one to delete) and a test delivery; an answered Account
 *   Balance query (and the result Daraja sent about it).
 * - the exact notices Daraja sent about P1, the payout and the refund, to replay.
 */

import type { RateLimits } from "../../src/http/rate-limits.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { bearer, createAdmin, createBooking, registerUser } from "./app.ts";
import { assertBooksBalanced } from "./books.ts";
import { completedBooking, lifeRoutes, technician } from "./escrow.ts";
import { type PaymentsStack, pushBody, startPaymentsStack } from "./payments.ts";
import { payoutsDriver } from "./payouts.ts";

export const WORLD_METRICS_TOKEN = "metrics-token-for-the-world";

export interface Person {
  token: string;
  userId: string;
}

export interface World {
  s: PaymentsStack;
  customer: Person & {
    email: string;
    password: string;
    /** B1, completed by T1: fee released, payout paid. */
    bookingId: string;
    transactionId: string;
    /** B2, cancelled after payment: refund paid. */
    refundedBookingId: string;
    refundedTransactionId: string;
    refundId: string;
    /** B4, never paid. */
    unpaidBookingId: string;
  };
  otherCustomer: Person & { cancelledUnpaidBookingId: string };
  technician: Person & { payoutId: string; phone: string };
  otherTechnician: Person & { phone: string };
  admin: Person;
  endpointId: string;
  spareEndpointId: string;
  deliveryId: string;
  /** An Account Balance query Daraja has answered. */
  balanceCheckId: string;
  /** Raw bodies Daraja sent, exactly as stored. */
  notices: { callback: string; b2cResult: string; reversalResult: string; balanceResult: string };
  metricsToken: string;
}

/** Limits would answer 429 before input is looked at; they have their own tests. */
const UNLIMITED: Partial<RateLimits> = {
  login: { max: 1_000_000, timeWindowMs: 60_000 },
  loginPerAddress: { max: 1_000_000, timeWindowMs: 60_000 },
  register: { max: 1_000_000, timeWindowMs: 60_000 },
  stkPush: { max: 1_000_000, timeWindowMs: 60_000 },
};

export async function startWorld(): Promise<World> {
  const s = await startPaymentsStack({
    env: { METRICS_TOKEN: WORLD_METRICS_TOKEN, WEBHOOKS_DELIVERY_ENABLED: "false" },
    rateLimits: UNLIMITED,
  });
  try {
    return await populate(s);
  } catch (error) {
    await s.close();
    throw error;
  }
}

async function populate(s: PaymentsStack): Promise<World> {
  const p = payoutsDriver(s);
  const r = lifeRoutes(s);
  const k = s.t.db.db.kysely;
  const password = "correct-horse-battery";
  const { c, tech, payoutId } = await completedBooking(s);
  const me = await s.t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: bearer(c.token) });
  const email = me.json().data.user.email as string;

  s.clock.advance(61_000); // the per-phone attempt limit
  const refunded = await createBooking(s.t.app, c.token);
  const push = await s.stkPush(c.token, pushBody(refunded.id, "0708374149"));
  const refundedTransactionId = push.json().data.transactionId as string;
  await s.waitForStatus(c.token, refundedTransactionId, ["completed"]);
  const cancelled = await r.cancel(c.token, refunded.id);
  const refundId = cancelled.json().data.booking.refund.id as string;
  await p.sweep();
  await p.waitFor({ kind: "payout", id: payoutId }, ["succeeded"]);
  await p.waitFor({ kind: "refund", id: refundId }, ["succeeded"]);
  const unpaid = await createBooking(s.t.app, c.token);

  const other = await registerUser(s.t.app);
  const otherBooking = await createBooking(s.t.app, other.token);
  await r.cancel(other.token, otherBooking.id, "Booked by mistake");
  const otherTech = await technician(s);
  const admin = await createAdmin(s.t);

  const hook = (url: string) =>
    s.t.app.inject({
      method: "POST",
      url: "/api/v1/admin/webhooks/endpoints",
      headers: bearer(admin.token),
      payload: { url, description: "the platform" },
    });
  const endpointId = (await hook("https://hooks.example.com/malipo")).json().data.endpoint.id as string;
  const spareEndpointId = (await hook("https://spare.example.com/malipo")).json().data.endpoint.id as string;
  const test = await s.t.app.inject({
    method: "POST",
    url: `/api/v1/admin/webhooks/endpoints/${endpointId}/test`,
    headers: bearer(admin.token),
  });
  const deliveryId = test.json().data.delivery.id as string;

  const asked = await s.t.app.inject({
    method: "POST",
    url: "/api/v1/admin/reconciliations/balance",
    headers: bearer(admin.token),
  });
  const balanceCheckId = asked.json().data.check.id as string;
  const answered = async () =>
    k
      .selectFrom("account_balance_checks")
      .selectAll()
      .where("id", "=", balanceCheckId)
      .executeTakeFirstOrThrow();
  for (let i = 0; (await answered()).status !== "completed"; i++) {
    if (i > 500) throw new Error("the Account Balance query was never answered");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  const callback = await k
    .selectFrom("mpesa_callbacks")
    .select("raw_body")
    .where("transaction_id", "=", c.transactionId)
    .where("verdict", "=", "accepted")
    .executeTakeFirstOrThrow();
  const noticeOf = async (kind: "payout" | "refund", id: string) =>
    (await p.notices({ kind, id })).find((n) => n.route.endsWith("_result") && n.verdict === "accepted")
      ?.raw_body ?? "";
  await assertBooksBalanced(k);
  return {
    s,
    customer: {
      token: c.token,
      userId: c.userId,
      email,
      password,
      bookingId: c.bookingId,
      transactionId: c.transactionId,
      refundedBookingId: refunded.id,
      refundedTransactionId,
      refundId,
      unpaidBookingId: unpaid.id,
    },
    otherCustomer: { token: other.token, userId: other.user.id, cancelledUnpaidBookingId: otherBooking.id },
    technician: {
      token: tech.token,
      userId: tech.user.id,
      payoutId,
      phone: tech.user.phoneNumber ?? "",
    },
    otherTechnician: {
      token: otherTech.token,
      userId: otherTech.user.id,
      phone: otherTech.user.phoneNumber ?? "",
    },
    admin: { token: admin.token, userId: admin.user.id },
    endpointId,
    spareEndpointId,
    deliveryId,
    balanceCheckId,
    notices: {
      balanceResult: (await answered()).raw_body ?? "",
      callback: callback.raw_body,
      b2cResult: await noticeOf("payout", payoutId),
      reversalResult: await noticeOf("refund", refundId),
    },
    metricsToken: WORLD_METRICS_TOKEN,
  };
}

/** What no hostile request may change: every money row's status, the ledger, the balances. */
export async function moneyState(w: World) {
  const k = w.s.t.db.db.kysely;
  const [transactions, fees, payouts, refunds, transfers, entries, balances] = await Promise.all([
    k.selectFrom("payment_transactions").select(["id", "status", "amount"]).orderBy("id").execute(),
    // A new booking's fee is pending: it holds no money, so only the others are compared.
    k
      .selectFrom("booking_fees")
      .select(["id", "status"])
      .where("status", "<>", "pending")
      .orderBy("id")
      .execute(),
    k.selectFrom("payouts").select(["id", "status", "amount", "receipt"]).orderBy("id").execute(),
    k.selectFrom("refunds").select(["id", "status", "amount", "receipt"]).orderBy("id").execute(),
    k.selectFrom("ledger_transfers").select("id").orderBy("id").execute(),
    k.selectFrom("ledger_entries").select("id").orderBy("id").execute(),
    accountBalances(k),
  ]);
  return { transactions, fees, payouts, refunds, transfers, entries, balances };
}
