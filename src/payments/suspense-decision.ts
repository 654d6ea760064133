/**
 * A person decides what becomes of a payment's money held in suspense (PURE; part of the payment
 * state machine, which delegates its `admin_resolve` event here):
 * - `hold_fee`: the money pays the booking fee after all — suspense → escrow, the fee held by this
 *   attempt, the booking `matching`, the attempt `completed`. Only while the fee is still payable
 *   and for exactly the fee's amount (escrow always equals the held fees).
 * - `refund`: the money goes back — suspense → customer_refunds_payable, where a refund by reversal
 *   of the payment picks it up; the attempt stays `needs_review`, with the decision as its reason.
 * Nothing else than money in suspense is decided here: no money there, no decision.
 */
import type {
  PaymentEffect,
  PaymentEvent,
  Rejection,
  Transition,
  TransitionContext,
} from "./state-machine.ts";

export type SuspenseAction = "hold_fee" | "refund";

export function resolveSuspense(
  event: Extract<PaymentEvent, { type: "admin_resolve" }>,
  ctx: TransitionContext,
): Transition | Rejection {
  const held = ctx.recorded.inSuspense;
  if (held <= 0) return { rejected: "no money of this payment is held in suspense" };
  switch (event.action) {
    case "hold_fee": {
      if (ctx.fee !== "awaiting_payment")
        return { rejected: "the booking fee is no longer payable by this payment; refund it instead" };
      if (held !== ctx.expectedAmount)
        return { rejected: `KES ${held} is held, the fee is KES ${ctx.expectedAmount}; refund it instead` };
      const effects: PaymentEffect[] = [
        { type: "release_suspense", to: "booking_fee_escrow", amount: held },
        { type: "hold_fee" },
      ];
      return { to: "completed", effects, duplicate: false, note: "resolved by an admin: the fee is held" };
    }
    case "refund":
      return {
        to: "needs_review",
        effects: [
          { type: "release_suspense", to: "customer_refunds_payable", amount: held },
          { type: "record_failure", reason: `refunded by an admin's decision: ${event.note}` },
        ],
        duplicate: false,
        note: "resolved by an admin: the money is refunded",
      };
    default: {
      const _exhaustive: never = event.action;
      return _exhaustive;
    }
  }
}
