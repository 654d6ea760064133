/**
 * The stateful heart of the emulator, free of HTTP: accepts validated pushes, runs each session
 * from prompt to result on the (scaled) clock, answers queries and dispatches callbacks.
 */
import { EventEmitter } from "node:events";
import pino, { type Logger } from "pino";
import { maskMsisdn } from "../daraja/phone.ts";
import { toDarajaTimestamp } from "../daraja/timestamp.ts";
import { CallbackSender } from "./callbacks.ts";
import { ControlError, type PhoneAnswer, type ResolveAction, resultOf } from "./control.ts";
import { dispatchCallback } from "./dispatch.ts";
import { type DarajaRejection, rejections } from "./errors.ts";
import { FaultInjector } from "./faults.ts";
import {
  checkoutRequestId,
  createRequestIdFactory,
  mpesaReceiptNumber,
  type RequestIdFactory,
} from "./identifiers.ts";
import type { EmulatorSettings } from "./options.ts";
import {
  builtInOutcomeFor,
  type Outcome,
  planFor,
  RESULTS,
  type ResultKind,
  type ScriptedAnswer,
} from "./outcomes.ts";
import { createRandom, type Random } from "./random.ts";
import { createScheduler, type Scheduler } from "./scheduler.ts";
import { type ResolvedBy, SessionStore, type StkSession } from "./sessions.ts";
import type { ValidStkPush, ValidStkQuery } from "./validation.ts";

/** A prompt that could not be delivered (1025, 17, SFC_IC0003) fails this soon after the push. */
const PUSH_FAILURE_DELAY_MS = 500;
/** The late callback of 254700009003 goes this long after the prompt timeout. */
const LATE_CALLBACK_AFTER_TIMEOUT_MS = 5_000;

export type PushDecision =
  | { kind: "accepted"; session: StkSession; responseLost: boolean }
  | { kind: "rejected"; rejection: DarajaRejection }
  | { kind: "gateway_unavailable" };

export type QueryDecision =
  | { kind: "final"; session: StkSession }
  | { kind: "processing"; session: StkSession }
  | { kind: "rejected"; rejection: DarajaRejection };

export class Simulator {
  readonly sessions: SessionStore;
  readonly callbacks: CallbackSender;
  readonly faults: FaultInjector;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Emits "session" with the session whenever one is created or ends. */
  readonly events = new EventEmitter().setMaxListeners(0);
  readonly #overrides = new Map<string, Outcome>();
  readonly #timers = new Map<string, Array<() => void>>();
  readonly #lateGates = new Map<string, boolean>();
  readonly #receipts = new Set<string>();
  readonly #ids: RequestIdFactory;
  readonly #receiptRandom: Random;

  readonly settings: EmulatorSettings;

  constructor(settings: EmulatorSettings, logger?: Logger) {
    this.settings = settings;
    this.sessions = new SessionStore(settings.maxSessions);
    this.logger = (logger ?? pino({ level: "silent" })).child({ component: "daraja-emulator" });
    this.scheduler = createScheduler(settings.timeScale, (error) =>
      this.logger.error({ err: error }, "emulator timer failed"),
    );
    this.faults = new FaultInjector(settings.seed);
    this.#ids = createRequestIdFactory(createRandom(settings.seed, "ids"));
    this.#receiptRandom = createRandom(settings.seed, "receipts");
    this.callbacks = new CallbackSender({
      fetch: settings.fetch,
      scheduler: this.scheduler,
      clock: settings.clock,
      logger: this.logger,
      ...(settings.maxRecords === null ? {} : { maxDeliveries: settings.maxRecords }),
    });
  }

  now(): Date {
    return this.settings.clock.now();
  }

  /** A fresh requestId / MerchantRequestID in Daraja's 2024+ shape. */
  nextRequestId(): string {
    return this.#ids.next();
  }

  outcomeFor(msisdn: string): Outcome {
    return this.#overrides.get(msisdn) ?? builtInOutcomeFor(msisdn);
  }

  setOutcome(msisdn: string, outcome: Outcome | null): void {
    if (outcome === null) this.#overrides.delete(msisdn);
    else this.#overrides.set(msisdn, outcome);
  }

  get overrides(): ReadonlyMap<string, Outcome> {
    return this.#overrides;
  }

  stkPush(push: ValidStkPush): PushDecision {
    if (this.faults.roll("spikeArrest")) return { kind: "rejected", rejection: rejections.spikeArrest };
    if (this.faults.roll("pushError")) return { kind: "rejected", rejection: rejections.internalServerError };
    const outcome = this.outcomeFor(push.phoneNumber);
    const plan = planFor(outcome);
    if (plan.kind === "refuse") {
      switch (plan.refusal) {
        case "lock_error":
          return { kind: "rejected", rejection: rejections.unableToLockSubscriber };
        case "spike_arrest":
          return { kind: "rejected", rejection: rejections.spikeArrest };
        case "gateway_unavailable":
          return { kind: "gateway_unavailable" };
        default: {
          const _exhaustive: never = plan.refusal;
          return _exhaustive;
        }
      }
    }
    if (this.sessions.pendingFor(push.phoneNumber))
      return { kind: "rejected", rejection: rejections.unableToLockSubscriber };

    const now = this.now();
    let id = checkoutRequestId(now, push.phoneNumber);
    for (let bump = 1; this.sessions.has(id); bump++)
      id = checkoutRequestId(new Date(now.getTime() + bump), push.phoneNumber);
    const responseLost = plan.responseLost || this.faults.roll("pushResponseDropped");
    const session: StkSession = {
      checkoutRequestId: id,
      merchantRequestId: this.nextRequestId(),
      shortcode: push.merchant.shortcode,
      businessName: push.merchant.name,
      transactionType: push.transactionType,
      amount: push.amount,
      partyA: push.partyA,
      partyB: push.partyB,
      phoneNumber: push.phoneNumber,
      callbackUrl: push.callbackUrl,
      accountReference: push.accountReference,
      transactionDesc: push.transactionDesc,
      outcome,
      callbackPlan: plan.callback,
      responseLost,
      status: "pending",
      createdAt: now,
      promptExpiresAt: new Date(now.getTime() + this.scheduler.scaled(this.settings.promptTimeoutMs)),
      completedAt: null,
      resolvedBy: null,
      result: null,
      receipt: null,
    };
    this.sessions.add(session);
    this.#start(session, plan.answer, push);
    this.events.emit("session", session);
    this.logger.info(
      { checkoutRequestId: id, phone: maskMsisdn(push.phoneNumber), amount: push.amount, outcome },
      "emulator accepted STK push",
    );
    return { kind: "accepted", session, responseLost };
  }

  stkQuery(query: ValidStkQuery): QueryDecision {
    if (this.faults.roll("spikeArrest")) return { kind: "rejected", rejection: rejections.spikeArrest };
    const session = this.sessions.get(query.checkoutRequestId);
    if (session === undefined || session.shortcode !== query.merchant.shortcode)
      return { kind: "rejected", rejection: rejections.transactionDoesNotExist };
    if (this.faults.roll("queryError"))
      return { kind: "rejected", rejection: rejections.transactionDoesNotExist };
    if (session.status === "pending" || this.faults.roll("queryProcessing"))
      return { kind: "processing", session };
    return { kind: "final", session };
  }

  /** Resolves with the first session (existing or future change) that satisfies `predicate`. */
  waitForSession(predicate: (s: StkSession) => boolean, timeoutMs = 5_000): Promise<StkSession> {
    const existing = this.sessions.list().find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onSession = (s: StkSession) => {
        if (!predicate(s)) return;
        clearTimeout(timer);
        this.events.off("session", onSession);
        resolve(s);
      };
      const timer = setTimeout(() => {
        this.events.off("session", onSession);
        reject(new Error(`no matching STK session within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on("session", onSession);
    });
  }

  /** Control API: make the customer answer an open prompt. */
  resolve(checkoutRequestId: string, action: ResolveAction): StkSession {
    const session = this.sessions.get(checkoutRequestId);
    if (session === undefined)
      throw new ControlError(404, "SESSION_NOT_FOUND", `no session ${checkoutRequestId}`);
    if (!this.#complete(session, resultOf(action), "control"))
      throw new ControlError(409, "SESSION_NOT_PENDING", `session ${checkoutRequestId} has already ended`);
    return session;
  }

  /** The simulated phone: PIN 0000 is a wrong PIN (2001), any other four digits pay, or Cancel (1032). */
  answerPrompt(msisdn: string, checkoutRequestId: string | null, answer: PhoneAnswer): StkSession {
    const session = this.sessions.pendingFor(msisdn);
    if (
      session === undefined ||
      (checkoutRequestId !== null && session.checkoutRequestId !== checkoutRequestId)
    )
      throw new ControlError(409, "NO_PENDING_PROMPT", "this prompt is no longer open on the phone");
    let result: ResultKind;
    if (answer.kind === "cancel") result = "cancelled";
    else if (!/^\d{4}$/.test(answer.pin))
      throw new ControlError(400, "INVALID_PIN", "the M-PESA PIN is four digits");
    else result = answer.pin === "0000" ? "wrong_pin" : "paid";
    this.#complete(session, result, "phone");
    return session;
  }

  /** Forgets sessions, deliveries, overrides and faults; cancels every timer and callback in flight. */
  reset(): void {
    this.scheduler.cancelAll();
    this.scheduler.timeScale = this.settings.timeScale;
    this.callbacks.clear();
    this.sessions.clear();
    this.faults.clear();
    this.#overrides.clear();
    this.#timers.clear();
    this.#lateGates.clear();
  }

  close(): void {
    this.scheduler.cancelAll();
    this.callbacks.clear();
  }

  #start(session: StkSession, answer: ScriptedAnswer | null, push: ValidStkPush): void {
    const id = session.checkoutRequestId;
    // What Daraja accepts synchronously but the network then fails: an over-long prompt (1025),
    // or a paybill push whose PartyB is not the shortcode (till/paybill mismatch, SFC_IC0003).
    let scripted = answer;
    if (push.accountReference.length > this.settings.maxAccountReferenceLength)
      scripted = { timing: "soon", result: "push_failed" };
    else if (push.transactionType === "CustomerPayBillOnline" && push.partyB !== push.merchant.shortcode)
      scripted = { timing: "soon", result: "operator_does_not_exist" };

    const timers: Array<() => void> = [];
    const onTimeout: ResultKind = scripted?.timing === "at_prompt_timeout" ? scripted.result : "no_answer";
    timers.push(
      this.scheduler.after(this.settings.promptTimeoutMs, () =>
        this.#complete(session, onTimeout, scripted?.timing === "at_prompt_timeout" ? "scenario" : "timeout"),
      ),
    );
    if (scripted && scripted.timing !== "at_prompt_timeout") {
      const delay =
        scripted.timing === "at_once"
          ? 0
          : scripted.timing === "soon"
            ? PUSH_FAILURE_DELAY_MS
            : this.settings.answerDelayMs;
      const result = scripted.result;
      timers.push(this.scheduler.after(delay, () => this.#complete(session, result, "scenario")));
    }
    this.#timers.set(id, timers);
    if (session.callbackPlan === "late") {
      this.#lateGates.set(id, false);
      this.scheduler.after(this.settings.promptTimeoutMs + LATE_CALLBACK_AFTER_TIMEOUT_MS, () => {
        this.#lateGates.set(id, true);
        if (session.status === "completed") this.#dispatchCallback(session);
      });
    }
  }

  #complete(session: StkSession, kind: ResultKind, by: ResolvedBy): boolean {
    if (session.status !== "pending") return false;
    const now = this.now();
    const spec = RESULTS[kind];
    session.status = "completed";
    session.completedAt = now;
    session.resolvedBy = by;
    session.result = { kind, resultCode: spec.code, resultDesc: spec.callbackDesc };
    if (kind === "paid")
      session.receipt = {
        mpesaReceiptNumber: this.newReceipt(now),
        transactionDate: toDarajaTimestamp(now),
      };
    for (const cancel of this.#timers.get(session.checkoutRequestId) ?? []) cancel();
    this.#timers.delete(session.checkoutRequestId);
    this.logger.info(
      { checkoutRequestId: session.checkoutRequestId, resultCode: spec.code, resolvedBy: by },
      "emulator STK session ended",
    );
    if (session.callbackPlan !== "late" || this.#lateGates.get(session.checkoutRequestId) === true)
      this.#dispatchCallback(session);
    this.events.emit("session", session);
    return true;
  }

  #dispatchCallback(session: StkSession): void {
    dispatchCallback(session, {
      callbacks: this.callbacks,
      faults: this.faults,
      callbackDelayMs: this.settings.callbackDelayMs,
    });
  }

  /** A receipt never issued before by this emulator (STK payments, B2C payouts, reversals share them). */
  newReceipt(now: Date): string {
    let receipt = mpesaReceiptNumber(now, this.#receiptRandom);
    while (this.#receipts.has(receipt)) receipt = mpesaReceiptNumber(now, this.#receiptRandom);
    this.#receipts.add(receipt);
    return receipt;
  }
}
