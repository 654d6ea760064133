/**
 * One customer's payments, as the customer's app makes them: book, push with an Idempotency-Key
 * (the same key for every retry of that payment), poll the status until it is final, then what the
 * plan says — a technician takes and completes the job (payout), the customer or an admin cancels
 * (refund), or it is left as it is. Each customer stays within Malipo's per-user and per-phone
 * prompt limits, as a person would, so what the run measures is money, not refusals.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ApiAnswer, MalipoClient } from "./client.ts";
import { control, type People, type Person } from "./people.ts";
import type { ChaosPlan, PlannedPayment } from "./plan.ts";

export interface PaymentResult {
  index: number;
  bookingId: string | null;
  transactionId: string | null;
  /** The push's answer: HTTP status and error code, if any. */
  push: string;
  /** The status the customer last saw. */
  seen: string;
  /** What was done afterwards, and how it went. */
  after: string;
  /** From booking to the last step, in ms. */
  ms: number;
}

export interface FlowContext {
  client: MalipoClient;
  emulatorUrl: string;
  plan: ChaosPlan;
  people: People;
  /** Problems in the flow itself (an answer no client should get): reported, not violations. */
  notes: string[];
}

const FINAL = new Set(["completed", "failed", "needs_review"]);
const TRANSIENT = new Set(["spike_arrest", "gateway_unavailable"]);
const WINDOW_MS = 61_000;

/** Sliding-window pacing: at most `max` starts in any minute. */
class Pace {
  readonly #starts: number[] = [];
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.#starts.length > 0 && now - this.#starts[0]! > WINDOW_MS) this.#starts.shift();
      if (this.#starts.length < this.#max) break;
      await sleep(WINDOW_MS - (now - this.#starts[0]!) + 50);
    }
    this.#starts.push(Date.now());
  }
}

export async function runCustomer(ctx: FlowContext, customer: Person, payments: PlannedPayment[]) {
  // Malipo allows 10 pushes a minute per user and 5 prompts a minute per phone.
  const perUser = new Pace(8);
  const perPhone = new Map<string, Pace>();
  const results: PaymentResult[] = [];
  for (const p of payments) {
    const phonePace = perPhone.get(p.phone) ?? new Pace(4);
    perPhone.set(p.phone, phonePace);
    results.push(await payOne(ctx, customer, p, async () => Promise.all([perUser.take(), phonePace.take()])));
  }
  return results;
}

async function payOne(
  ctx: FlowContext,
  customer: Person,
  p: PlannedPayment,
  pace: () => Promise<unknown>,
): Promise<PaymentResult> {
  const result: PaymentResult = {
    index: p.index,
    bookingId: null,
    transactionId: null,
    push: "",
    seen: "",
    after: "",
    ms: 0,
  };
  const started = Date.now();
  try {
    return await steps(ctx, customer, p, pace, result);
  } finally {
    result.ms = Date.now() - started;
  }
}

async function steps(
  ctx: FlowContext,
  customer: Person,
  p: PlannedPayment,
  pace: () => Promise<unknown>,
  result: PaymentResult,
): Promise<PaymentResult> {
  const { client } = ctx;
  const as = (who: Person) => ({ token: who.token, clientIp: who.ip });
  const booked = await client.request("POST", "/bookings", {
    ...as(customer),
    body: { service: "Plumbing", location: `Kilimani ${p.index}` },
  });
  const booking = booked.json.data?.booking as { id: string } | undefined;
  if (!booking) {
    result.push = `no booking: ${describe(booked)}`;
    return result;
  }
  result.bookingId = booking.id;
  await control(ctx.emulatorUrl, "PUT", `/numbers/${p.phone}/outcome`, { outcome: p.outcome });
  // Spike arrest and the gateway's 503 pass: the customer's next try goes through.
  if (TRANSIENT.has(p.outcome))
    setTimeout(() => {
      void control(ctx.emulatorUrl, "PUT", `/numbers/${p.phone}/outcome`, { outcome: "pay" }).catch(() => {});
    }, 300).unref();
  await pace();
  // A local number on every other payment: the app accepts what people type.
  const phoneNumber = p.index % 2 === 0 ? p.phone : `0${p.phone.slice(3)}`;
  const pushed = await client.request("POST", "/payments/mpesa/stkpush", {
    ...as(customer),
    idempotencyKey: randomUUID(),
    maxTries: 6,
    body: { phoneNumber, bookingId: booking.id, type: "booking_fee" },
  });
  result.push = describe(pushed);
  const tx = (pushed.json.data?.transactionId ?? pushed.json.error?.details?.transactionId) as
    | string
    | undefined;
  if (!tx) {
    if (p.after === "customer_cancel" || p.after === "cancel_in_flight")
      result.after = await cancel(ctx, customer, booking.id);
    return result;
  }
  result.transactionId = tx;
  if (p.after === "cancel_in_flight") result.after = await cancel(ctx, customer, booking.id);
  result.seen = await pollStatus(ctx, customer, tx);
  if (p.after === "cancel_in_flight") return result;
  if (result.seen !== "completed") {
    if (p.after !== "keep" && p.after !== "complete") result.after = await cancel(ctx, customer, booking.id);
    return result;
  }
  const technician = ctx.people.technicians[p.technician]!;
  switch (p.after) {
    case "complete": {
      const accepted = await client.request("POST", `/bookings/${booking.id}/accept`, as(technician));
      const done = await client.request("POST", `/bookings/${booking.id}/complete`, as(technician));
      result.after = `accept ${describe(accepted)}, complete ${describe(done)}`;
      break;
    }
    case "customer_cancel":
      result.after = await cancel(ctx, customer, booking.id);
      break;
    case "admin_cancel": {
      const accepted = await client.request("POST", `/bookings/${booking.id}/accept`, as(technician));
      result.after = `accept ${describe(accepted)}, ${await cancel(ctx, ctx.people.admin, booking.id)}`;
      break;
    }
    case "keep":
      result.after = "kept";
      break;
  }
  return result;
}

async function cancel(ctx: FlowContext, who: Person, bookingId: string): Promise<string> {
  const answer = await ctx.client.request("POST", `/bookings/${bookingId}/cancel`, {
    token: who.token,
    clientIp: who.ip,
    body: { reason: "chaos: changed my mind" },
  });
  return `cancel ${describe(answer)}`;
}

/** Polls the status as the payment page does, until it is final or the customer gives up. */
async function pollStatus(ctx: FlowContext, customer: Person, tx: string): Promise<string> {
  const until = Date.now() + 45_000;
  let status = "unknown";
  while (Date.now() < until) {
    const answer = await ctx.client.request("GET", `/payments/mpesa/status/${tx}`, {
      token: customer.token,
      clientIp: customer.ip,
    });
    status = String(answer.json.transaction?.status ?? `HTTP ${answer.status}`);
    if (FINAL.has(status)) return status;
    if (answer.status >= 400 && answer.status < 500) {
      ctx.notes.push(`status of ${tx}: ${describe(answer)}`);
      return status;
    }
    await sleep(400);
  }
  return `${status} (gave up polling)`;
}

function describe(answer: ApiAnswer): string {
  return `${answer.status}${answer.json.error ? ` ${answer.json.error.code}` : ""}${answer.retried ? " (after retries)" : ""}`;
}
