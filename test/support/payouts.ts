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
import type { PaymentsStack } from "./payments.ts";

export interface PayoutsDriver {
  /** One sweep of the submitter, then every notice it caused processed. */
  sweep(): Promise<SubmitSummary>;
  /** Polls (without moving the clock) until the item is in one of `statuses`; notices settled. */
  waitFor(ref: ItemRef, statuses: string[], timeoutMs?: number): Promise<Item>;
  item(ref: ItemRef): Promise<Item>;
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
