/**
 * Money out, for integration tests on a payments stack: run the submitter by hand, wait for an item
 * to reach a status (the emulator answers in real, time-scaled milliseconds), read its stored
 * notices and events, post a notice to a result route, and the admin's review actions.
 */
import type { LightMyRequestResponse } from "fastify";
import type { PayoutResultRow } from "../../src/db/schema.ts";
import { signatureOf } from "../../src/payments/callback-url.ts";
import { findItem, type Item, type ItemRef, listPayoutEvents } from "../../src/payouts/payout.repository.ts";
import { listPayoutResultsOf } from "../../src/payouts/payout-results.repository.ts";
import { RESULT_BASE_PATH, RESULT_ROUTES } from "../../src/payouts/result-urls.ts";
import type { SubmitSummary } from "../../src/payouts/submitter.ts";
import { bearer, type RegisteredUser } from "./app.ts";
import { completedBooking } from "./escrow.ts";
import type { PaymentsStack } from "./payments.ts";

export interface PayoutsDriver {
  /** One sweep of the submitter, then every notice it caused processed. */
  sweep(): Promise<SubmitSummary>;
  /** Polls (without moving the clock) until the item is in one of `statuses`; notices settled. */
  waitFor(ref: ItemRef, statuses: string[], timeoutMs?: number): Promise<Item>;
  item(ref: ItemRef): Promise<Item>;
  /** The ledger transfers of these items' booking fees (other items of a shared stack may settle meanwhile). */
  money(...refs: ItemRef[]): Promise<Array<{ kind: string; amount: number; booking_fee_id: string | null }>>;
  notices(ref: ItemRef): Promise<PayoutResultRow[]>;
  /** Events of one instant have no order (the test clock stands still): sorted by type, then status. */
  events(ref: ItemRef): Promise<
    Array<{
      type: string;
      from: string | null;
      to: string;
      actor: string | null;
      data: Record<string, unknown>;
    }>
  >;
  /** POSTs a body to a result route, signed for `ref` unless `sig` is given (null: no signature). */
  post(route: keyof typeof RESULT_ROUTES, ref: ItemRef, body: string, sig?: string | null): Promise<Response>;
  admin(
    who: RegisteredUser,
    method: "GET" | "POST",
    url: string,
    payload?: object,
  ): Promise<LightMyRequestResponse>;
}

export function payoutsDriver(s: PaymentsStack): PayoutsDriver {
  const { services } = s.t;
  const driver: PayoutsDriver = {
    async sweep() {
      const summary = await services.payoutSubmitter.runOnce();
      await services.payoutResults.whenIdle();
      return summary;
    },
    async waitFor(ref, statuses, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        await services.payoutResults.whenIdle();
        const item = await driver.item(ref);
        if (statuses.includes(item.row.status)) return item;
        if (Date.now() > until)
          throw new Error(`${ref.kind} ${ref.id} is ${item.row.status}, not ${statuses.join("/")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async item(ref) {
      const item = await findItem(s.t.db.db.kysely, ref);
      if (!item) throw new Error(`no ${ref.kind} ${ref.id}`);
      return item;
    },
    async money(...refs) {
      const fees = await Promise.all(refs.map(async (ref) => (await driver.item(ref)).row.booking_fee_id));
      return s.t.db.db.kysely
        .selectFrom("ledger_transfers")
        .select(["kind", "amount", "booking_fee_id"])
        .where("booking_fee_id", "in", fees)
        .orderBy("id")
        .execute();
    },
    notices: (ref) => listPayoutResultsOf(s.t.db.db.kysely, ref),
    async events(ref) {
      const rows = await listPayoutEvents(s.t.db.db.kysely, ref);
      return rows
        .map((e) => ({
          type: e.type,
          from: e.from_status,
          to: e.to_status,
          actor: e.actor_id,
          data: JSON.parse(e.data) as Record<string, unknown>,
        }))
        .sort((a, b) => `${a.type} ${a.to}`.localeCompare(`${b.type} ${b.to}`));
    },
    post(route, ref, body, sig) {
      const params = new URLSearchParams({ kind: ref.kind, id: ref.id });
      const signature =
        sig === undefined ? signatureOf(s.t.config.callbackSecret, `${ref.kind}:${ref.id}`) : sig;
      if (signature !== null) params.set("sig", signature);
      return fetch(`${s.t.url}${RESULT_BASE_PATH}${RESULT_ROUTES[route]}?${params}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    },
    admin(who, method, url, payload) {
      return s.t.app.inject({
        method,
        url: `/api/v1${url}`,
        headers: bearer(who.token),
        ...(payload === undefined ? {} : { payload }),
      });
    },
  };
  return driver;
}

/** What a notice says: Daraja's ids for the request, its code, and (on success) what moved. */
export interface NoticeFields {
  conversationId: string;
  originatorConversationId: string;
  resultCode?: number | string;
  resultDesc?: string;
  /** The movement's TransactionID (B2C or reversal receipt). */
  receipt?: string;
  amount?: number;
  /** The MSISDN that received the money. */
  party?: string;
  /** Reversals: the payment reversed. */
  originalReceipt?: string;
}

function resultEnvelope(f: NoticeFields, parameters: Array<{ Key: string; Value: unknown }>): string {
  const code = f.resultCode ?? 0;
  const success = String(code) === "0";
  return JSON.stringify({
    Result: {
      ResultType: 0,
      ResultCode: code,
      ResultDesc: f.resultDesc ?? (success ? "The service request is processed successfully." : "failed"),
      OriginatorConversationID: f.originatorConversationId,
      ConversationID: f.conversationId,
      TransactionID: success ? (f.receipt ?? "UAF0000001") : "UAF0000000",
      ...(success ? { ResultParameters: { ResultParameter: parameters } } : {}),
    },
  });
}

/** A B2C result as Daraja sends it (parameters on success only). */
export const b2cResultBody = (f: NoticeFields) =>
  resultEnvelope(f, [
    { Key: "TransactionAmount", Value: f.amount ?? 450 },
    { Key: "TransactionReceipt", Value: f.receipt ?? "UAF0000001" },
    { Key: "ReceiverPartyPublicName", Value: `${f.party ?? "254708374149"} - JOHN DOE` },
  ]);

/** A Reversal result as Daraja sends it. */
export const reversalResultBody = (f: NoticeFields) =>
  resultEnvelope(f, [
    { Key: "Amount", Value: f.amount ?? 500 },
    { Key: "OriginalTransactionID", Value: f.originalReceipt ?? "UAF0000002" },
    { Key: "CreditPartyPublicName", Value: `${f.party ?? "254708374149"} - JOHN DOE` },
  ]);

/** A Transaction Status result about a transaction found with `status` (Completed, Reversed, …). */
export function statusResultBody(found: {
  status: string;
  amount: number;
  receipt: string;
  debitParty?: string;
  originatorConversationId?: string;
  conversationId?: string;
}): string {
  return JSON.stringify({
    Result: {
      ConversationID: "AG_20260115_00000000000000status",
      OriginatorConversationID: "status-query-1",
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      ResultType: 0,
      TransactionID: "UAF0000000",
      ResultParameters: {
        ResultParameter: [
          { Key: "DebitPartyName", Value: `${found.debitParty ?? "600000"} - PAYER` },
          { Key: "TransactionStatus", Value: found.status },
          { Key: "Amount", Value: String(found.amount) },
          { Key: "ReceiptNo", Value: found.receipt },
          ...(found.originatorConversationId
            ? [{ Key: "OriginatorConversationID", Value: found.originatorConversationId }]
            : []),
          ...(found.conversationId ? [{ Key: "ConversationID", Value: found.conversationId }] : []),
        ],
      },
    },
  });
}

/** A payout whose B2C went out and was paid, with the exact result Daraja sent. */
export async function paidPayout(s: PaymentsStack, p: PayoutsDriver) {
  const { payoutId, tech } = await completedBooking(s);
  const ref: ItemRef = { kind: "payout", id: payoutId };
  await p.sweep();
  const item = await p.waitFor(ref, ["succeeded"]);
  const notice = (await p.notices(ref)).find((n) => n.route === "b2c_result" && n.verdict === "accepted");
  return { ref, row: item.row, tech, body: notice?.raw_body ?? "" };
}

/** A payout sent to 254700008004, whose result never comes: submitted, waiting. */
export async function waitingPayout(s: PaymentsStack, p: PayoutsDriver) {
  const { payoutId } = await completedBooking(s, { phone: "254700008004" });
  const ref: ItemRef = { kind: "payout", id: payoutId };
  await p.sweep();
  const row = (await p.waitFor(ref, ["submitted"])).row;
  const ids = { conversationId: row.conversation_id ?? "", originatorConversationId: `${payoutId}-1` };
  return { ref, row, ids };
}
