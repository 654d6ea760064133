/**
 * An STK session: one accepted push, from the prompt to its final result. The store also owns the
 * subscriber lock (one open prompt per phone, as on the real network).
 */
import type { Msisdn } from "../daraja/phone.ts";
import type { TransactionType } from "../daraja/wire.ts";
import type { CallbackPlan, Outcome, ResultKind } from "./outcomes.ts";

export type SessionStatus = "pending" | "completed";

/** Who ended the prompt: the scripted test number, a person (phone page), the control API, or the clock. */
export type ResolvedBy = "scenario" | "phone" | "control" | "timeout";

export interface StkResult {
  kind: ResultKind;
  /** As in the callback: a number, except SFC_ codes. Queries send String(resultCode). */
  resultCode: number | string;
  resultDesc: string;
}

export interface Receipt {
  mpesaReceiptNumber: string;
  /** `YYYYMMDDHHmmss` in East Africa Time (sent as a number in the callback). */
  transactionDate: string;
}

export interface StkSession {
  checkoutRequestId: string;
  merchantRequestId: string;
  shortcode: string;
  businessName: string;
  transactionType: TransactionType;
  amount: number;
  partyA: Msisdn;
  partyB: string;
  phoneNumber: Msisdn;
  /** Exactly as given in the push; the callback goes here, query string intact. */
  callbackUrl: string;
  accountReference: string;
  transactionDesc: string;
  outcome: Outcome;
  callbackPlan: CallbackPlan;
  /** The push response was never sent (test number 254700009006 or an injected fault). */
  responseLost: boolean;
  status: SessionStatus;
  createdAt: Date;
  /** When the prompt times out (already scaled). */
  promptExpiresAt: Date;
  completedAt: Date | null;
  resolvedBy: ResolvedBy | null;
  result: StkResult | null;
  receipt: Receipt | null;
}

export const DEFAULT_MAX_SESSIONS = 2_000;

export class SessionStore {
  readonly #byId = new Map<string, StkSession>();
  readonly #max: number;

  /** Past `max` sessions, the oldest ended ones are forgotten (STK Query then answers "does not exist"). */
  constructor(max = DEFAULT_MAX_SESSIONS) {
    this.#max = max;
  }

  add(session: StkSession): void {
    this.#byId.set(session.checkoutRequestId, session);
    if (this.#byId.size > this.#max) {
      for (const [id, s] of this.#byId) {
        if (this.#byId.size <= this.#max) break;
        if (s.status === "completed") this.#byId.delete(id);
      }
    }
  }

  has(checkoutRequestId: string): boolean {
    return this.#byId.has(checkoutRequestId);
  }

  get(checkoutRequestId: string): StkSession | undefined {
    return this.#byId.get(checkoutRequestId);
  }

  /** The prompt currently open on this phone, if any (the subscriber lock). */
  pendingFor(msisdn: string): StkSession | undefined {
    for (const s of this.#byId.values()) if (s.phoneNumber === msisdn && s.status === "pending") return s;
    return undefined;
  }

  /** Newest first. */
  list(filter: { phoneNumber?: string; status?: SessionStatus; limit?: number } = {}): StkSession[] {
    const out: StkSession[] = [];
    const all = [...this.#byId.values()].reverse();
    for (const s of all) {
      if (filter.phoneNumber !== undefined && s.phoneNumber !== filter.phoneNumber) continue;
      if (filter.status !== undefined && s.status !== filter.status) continue;
      out.push(s);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  clear(): void {
    this.#byId.clear();
  }
}
