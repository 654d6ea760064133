/**
 * The payouts module as the rest of Malipo uses it: read payouts and refunds (who sees what), an
 * admin's approval, and `applyEvent`, the one path that changes an item, for the submitter and the
 * Daraja result routes. Listeners hear every committed change (`onChange`), so a submitter can send
 * what became submittable (created in auto mode, approved, retried).
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { PayoutStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Actor } from "../users/user.ts";
import { findUserById } from "../users/users.repository.ts";
import { findItem, type Item, type ItemRef } from "./payout.repository.ts";
import {
  applyPayoutEvent,
  type PayoutApplyOutcome,
  type PayoutChange,
  type PayoutEventSource,
} from "./payout-apply.ts";
import { findPayoutOfBooking, findRefundOfBooking, listPayouts, listRefunds } from "./payout-queries.ts";
import {
  canSeePayout,
  canSeeRefund,
  type PayoutView,
  type RefundView,
  toPayoutView,
  toRefundView,
} from "./payout-view.ts";
import type { PayoutEvent } from "./state-machine.ts";
import { DEFAULT_PAYOUT_TIMINGS, type PayoutTimings } from "./timings.ts";

export interface PageQuery {
  page: number;
  limit: number;
  status?: PayoutStatus | undefined;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
}

export type PayoutListener = (change: PayoutChange) => void;

export interface PayoutsService {
  /** Technicians: their own payouts; admins: all. Customers: FORBIDDEN. */
  listPayouts(viewer: Actor, query: PageQuery): Promise<Page<PayoutView>>;
  /** PAYOUT_NOT_FOUND when absent or someone else's. */
  getPayout(viewer: Actor, id: string): Promise<PayoutView>;
  /** Customers: their own refunds; admins: all. Technicians: FORBIDDEN. */
  listRefunds(viewer: Actor, query: PageQuery): Promise<Page<RefundView>>;
  getRefund(viewer: Actor, id: string): Promise<RefundView>;
  /** PAYOUT_APPROVAL=admin: releases a queued payout for submission, recorded with the admin. */
  approvePayout(admin: Actor, id: string): Promise<PayoutView>;
  /** A failed or reviewed item sent again as a fresh attempt (admin_retry), with who and why. */
  retry(admin: Actor, ref: ItemRef, note: string): Promise<PayoutView | RefundView>;
  /** A person settles an item under review: the money reached the recipient, or it did not. */
  resolve(
    admin: Actor,
    ref: ItemRef,
    outcome: "succeeded" | "failed",
    note: string,
  ): Promise<PayoutView | RefundView>;
  /** What a booking's viewer sees of its money out. */
  ofBooking(viewer: Actor, bookingId: string): Promise<{ payout?: PayoutView; refund?: RefundView }>;
  /** THE way to change a payout or refund. */
  applyEvent(ref: ItemRef, event: PayoutEvent, source: PayoutEventSource): Promise<PayoutApplyOutcome>;
  /** Hear every committed change; returns the unsubscribe function. */
  onChange(listener: PayoutListener): () => void;
  /** Tell listeners about an item another module created inside its own transaction (after commit). */
  announce(change: PayoutChange): void;
  readonly timings: PayoutTimings;
}

export interface PayoutsServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics | undefined;
  timings?: Partial<PayoutTimings> | undefined;
}

function page<T>(items: T[], total: number, query: PageQuery): Page<T> {
  return { items, total, page: query.page, pages: Math.ceil(total / query.limit) };
}

export function createPayoutsService(deps: PayoutsServiceDeps): PayoutsService {
  const { db } = deps;
  const logger = deps.logger.child({ module: "payouts" });
  const timings: PayoutTimings = { ...DEFAULT_PAYOUT_TIMINGS, ...deps.timings };
  const listeners = new Set<PayoutListener>();
  const announce = (change: PayoutChange) => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        logger.error({ err: error }, "payout listener failed");
      }
    }
  };
  const apply = (ref: ItemRef, event: PayoutEvent, source: PayoutEventSource) =>
    applyPayoutEvent(
      { db, clock: deps.clock, logger, timings, metrics: deps.metrics, onChange: announce },
      ref,
      event,
      source,
    );
  const payoutNotFound = () => new AppError("PAYOUT_NOT_FOUND", "No payout with this id is visible to you");
  const refundNotFound = () => new AppError("REFUND_NOT_FOUND", "No refund with this id is visible to you");
  const viewOf = (item: Item, viewer: Actor) =>
    item.kind === "payout" ? toPayoutView(item.row, viewer) : toRefundView(item.row, viewer);

  /** Decisions are recorded with the admin: a session of a vanished account cannot decide. */
  async function requireAdmin(admin: Actor, what: string) {
    if (admin.role !== "admin") throw new AppError("FORBIDDEN", `Only admins ${what}`);
    if ((await findUserById(db.kysely, admin.id))?.role !== "admin")
      throw new AppError("UNAUTHORIZED", "This account no longer exists; sign in again");
  }

  async function decide(admin: Actor, ref: ItemRef, event: PayoutEvent, refusal: "RETRYABLE" | "RESOLVABLE") {
    const outcome = await apply(ref, event, "admin");
    if (!outcome.item) throw ref.kind === "payout" ? payoutNotFound() : refundNotFound();
    if (!outcome.applied) {
      const code = `${ref.kind === "payout" ? "PAYOUT" : "REFUND"}_NOT_${refusal}` as const;
      throw new AppError(
        code,
        `This ${ref.kind} cannot be ${refusal === "RETRYABLE" ? "retried" : "resolved so"}: ${outcome.reason}`,
        {
          status: outcome.item.row.status,
        },
      );
    }
    return viewOf(outcome.item, admin);
  }

  return {
    timings,
    applyEvent: apply,
    announce,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async listPayouts(viewer, query) {
      if (viewer.role === "customer")
        throw new AppError("FORBIDDEN", "Only technicians and admins have payouts");
      const { rows, total } = await listPayouts(db.kysely, {
        ownerId: viewer.role === "admin" ? null : viewer.id,
        status: query.status ?? null,
        page: query.page,
        limit: query.limit,
      });
      return page(
        rows.map((row) => toPayoutView(row, viewer)),
        total,
        query,
      );
    },

    async getPayout(viewer, id) {
      const item = await findItem(db.kysely, { kind: "payout", id });
      if (item?.kind !== "payout" || !canSeePayout(item.row, viewer)) throw payoutNotFound();
      return toPayoutView(item.row, viewer);
    },

    async listRefunds(viewer, query) {
      if (viewer.role === "technician")
        throw new AppError("FORBIDDEN", "Only customers and admins have refunds");
      const { rows, total } = await listRefunds(db.kysely, {
        ownerId: viewer.role === "admin" ? null : viewer.id,
        status: query.status ?? null,
        page: query.page,
        limit: query.limit,
      });
      return page(
        rows.map((row) => toRefundView(row, viewer)),
        total,
        query,
      );
    },

    async getRefund(viewer, id) {
      const item = await findItem(db.kysely, { kind: "refund", id });
      if (item?.kind !== "refund" || !canSeeRefund(item.row, viewer)) throw refundNotFound();
      return toRefundView(item.row, viewer);
    },

    async approvePayout(admin, id) {
      await requireAdmin(admin, "approve payouts");
      const outcome = await apply({ kind: "payout", id }, { type: "approved", adminId: admin.id }, "admin");
      if (outcome.item?.kind !== "payout") throw payoutNotFound();
      if (!outcome.applied)
        throw new AppError("PAYOUT_NOT_APPROVABLE", `This payout cannot be approved: ${outcome.reason}`, {
          status: outcome.item.row.status,
        });
      return toPayoutView(outcome.item.row, admin);
    },

    async retry(admin, ref, note) {
      await requireAdmin(admin, `retry ${ref.kind}s`);
      return decide(admin, ref, { type: "admin_retry", adminId: admin.id, note }, "RETRYABLE");
    },

    async resolve(admin, ref, outcome, note) {
      await requireAdmin(admin, `resolve ${ref.kind}s`);
      return decide(admin, ref, { type: "admin_resolve", adminId: admin.id, note, outcome }, "RESOLVABLE");
    },

    async ofBooking(viewer, bookingId) {
      const [payout, refund] = await Promise.all([
        findPayoutOfBooking(db.kysely, bookingId),
        findRefundOfBooking(db.kysely, bookingId),
      ]);
      return {
        ...(payout ? { payout: toPayoutView(payout, viewer) } : {}),
        ...(refund ? { refund: toRefundView(refund, viewer) } : {}),
      };
    },
  };
}
