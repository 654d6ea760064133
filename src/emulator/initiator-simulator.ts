/**
 * The stateful side of B2C, Reversal, Transaction Status and Account Balance, free of HTTP: accepts
 * validated requests (or refuses them as the gateway does), carries each out on the scaled clock
 * against the organisations' accounts, and sends its result — or its queue-timeout notice — the way
 * the customer's number and the seeded faults say.
 */
import { EventEmitter } from "node:events";
import { isCanonicalMsisdn, maskMsisdn } from "../daraja/phone.ts";
import { OrganisationAccounts } from "./accounts.ts";
import type { CredentialKeys } from "./certificate.ts";
import { type Conversation, ConversationStore, type InitiatorApi } from "./conversations.ts";
import { credentialMatches } from "./credentials.ts";
import { type DarajaRejection, rejections } from "./errors.ts";
import { conversationId, placeholderTransactionId } from "./identifiers.ts";
import { carryOut, type Processed } from "./initiator-processing.ts";
import type {
  ValidAccountBalance,
  ValidB2c,
  ValidReversal,
  ValidTransactionStatus,
} from "./initiator-validation.ts";
import { builtInPayoutOutcomeFor, type PayoutOutcome, payoutPlanFor } from "./payout-outcomes.ts";
import { createRandom, type Random } from "./random.ts";
import { failureResult, QUEUE_TIMEOUT_CODE, RESULT_TEXT } from "./result-payloads.ts";
import { dispatchResult, ResultSender } from "./result-sender.ts";
import type { Simulator } from "./simulator.ts";
import { StatementJournal } from "./statement.ts";
import { stkPaymentTransaction, TransactionStore } from "./transactions.ts";

export type InitiatorRequest =
  | { api: "b2c"; valid: ValidB2c }
  | { api: "reversal"; valid: ValidReversal }
  | { api: "transaction_status"; valid: ValidTransactionStatus }
  | { api: "account_balance"; valid: ValidAccountBalance };

export type InitiatorDecision =
  | { kind: "accepted"; conversation: Conversation }
  | { kind: "rejected"; rejection: DarajaRejection };

export class InitiatorSimulator {
  readonly conversations: ConversationStore;
  readonly transactions: TransactionStore;
  readonly accounts: OrganisationAccounts;
  /** Every movement of the Utility Accounts, for the statement export. */
  readonly statement = new StatementJournal();
  readonly results: ResultSender;
  /** Emits "conversation" whenever one is accepted or ends. */
  readonly events = new EventEmitter().setMaxListeners(0);
  readonly keys: CredentialKeys;
  readonly #overrides = new Map<string, PayoutOutcome>();
  readonly #random: Random;
  private readonly stk: Simulator;

  constructor(stk: Simulator, keys: CredentialKeys) {
    this.stk = stk;
    this.keys = keys;
    const max = stk.settings.maxRecords ?? undefined;
    this.conversations = new ConversationStore(max);
    this.transactions = new TransactionStore(max);
    this.accounts = new OrganisationAccounts(stk.settings.openingBalances);
    this.#random = createRandom(stk.settings.seed, "conversations");
    this.results = new ResultSender({
      fetch: stk.settings.fetch,
      scheduler: stk.scheduler,
      clock: stk.settings.clock,
      logger: stk.logger,
      ...(max === undefined ? {} : { maxDeliveries: max }),
    });
    // Every STK payment lands in the paybill's Utility Account and can be reversed or queried.
    stk.events.on("session", (session) => {
      const payment = stkPaymentTransaction(session, this.stk.now());
      if (payment === null || this.transactions.has(payment.receipt)) return;
      this.accounts.receivePayment(payment.shortcode, payment.amount);
      this.transactions.add(payment);
      const { utilityCents } = this.accounts.balances(payment.shortcode);
      this.statement.record(payment, utilityCents, session.accountReference);
    });
  }

  payoutOutcomeFor(msisdn: string): PayoutOutcome {
    return this.#overrides.get(msisdn) ?? builtInPayoutOutcomeFor(msisdn);
  }

  setPayoutOutcome(msisdn: string, outcome: PayoutOutcome | null): void {
    if (outcome === null) this.#overrides.delete(msisdn);
    else this.#overrides.set(msisdn, outcome);
  }

  get payoutOverrides(): ReadonlyMap<string, PayoutOutcome> {
    return this.#overrides;
  }

  /** A request that passed field validation: the gateway's refusals, then a conversation. */
  accept(request: InitiatorRequest, path: string, body: Record<string, unknown>): InitiatorDecision {
    const { faults } = this.stk;
    if (faults.roll("spikeArrest")) return { kind: "rejected", rejection: rejections.spikeArrest };
    const given = request.api === "b2c" ? request.valid.originatorConversationId : null;
    if (given !== null && this.conversations.usedOriginatorId(given))
      return { kind: "rejected", rejection: rejections.duplicateOriginatorConversationId };
    if (faults.roll("asyncError")) return { kind: "rejected", rejection: rejections.systemInternalError };

    const now = this.stk.now();
    const { valid } = request;
    const shortcode = request.api === "reversal" ? request.valid.receiverParty : request.valid.partyA;
    const msisdn =
      request.api === "b2c"
        ? request.valid.partyB
        : request.api === "reversal"
          ? (this.transactions.get(request.valid.transactionId)?.msisdn ?? null)
          : null;
    const { SecurityCredential: _hidden, ...visible } = body;
    const conversation: Conversation = {
      conversationId: this.#newConversationId(now),
      originatorConversationId: given ?? this.stk.nextRequestId(),
      api: request.api,
      path,
      shortcode,
      initiatorName: valid.initiatorName,
      // An initiator acts for a shortcode the emulator knows; a status query may name a customer instead.
      credentialValid:
        (this.stk.settings.merchants.has(shortcode) ||
          (request.api === "transaction_status" && isCanonicalMsisdn(shortcode))) &&
        credentialMatches(
          valid.initiatorName,
          valid.securityCredential,
          this.stk.settings.initiators,
          this.keys,
        ),
      resultUrl: valid.resultUrl,
      queueTimeoutUrl: valid.queueTimeoutUrl,
      msisdn,
      amount: request.api === "b2c" || request.api === "reversal" ? request.valid.amount : null,
      outcome:
        msisdn !== null && (request.api === "b2c" || request.api === "reversal")
          ? this.payoutOutcomeFor(msisdn)
          : null,
      responseLost: faults.roll("asyncResponseDropped"),
      status: "pending",
      createdAt: now,
      completedAt: null,
      result: null,
      request: visible,
    };
    this.conversations.add(conversation);
    this.#schedule(conversation, request);
    this.events.emit("conversation", conversation);
    this.stk.logger.info(
      {
        api: conversation.api,
        conversationId: conversation.conversationId,
        phone: msisdn === null ? null : maskMsisdn(msisdn),
        amount: conversation.amount,
      },
      "emulator accepted request",
    );
    return { kind: "accepted", conversation };
  }

  /** Resolves with the first conversation (existing or future change) that satisfies `predicate`. */
  waitForConversation(predicate: (c: Conversation) => boolean, timeoutMs = 5_000): Promise<Conversation> {
    const existing = this.conversations.list().find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onChange = (c: Conversation) => {
        if (!predicate(c)) return;
        clearTimeout(timer);
        this.events.off("conversation", onChange);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.events.off("conversation", onChange);
        reject(new Error(`no matching conversation within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on("conversation", onChange);
    });
  }

  /** Aborts results in flight (timers are the shared scheduler's). */
  close(): void {
    this.results.clear();
  }

  reset(): void {
    this.conversations.clear();
    this.transactions.clear();
    this.accounts.clear();
    this.statement.clear();
    this.results.clear();
    this.#overrides.clear();
  }

  #newConversationId(now: Date): string {
    let id = conversationId(now, this.#random);
    while (this.conversations.get(id)) id = conversationId(now, this.#random);
    return id;
  }

  #schedule(c: Conversation, request: InitiatorRequest): void {
    const { resultDelayMs, queueTimeoutMs } = this.stk.settings;
    const planned =
      c.outcome !== null && (c.api === "b2c" || c.api === "reversal")
        ? payoutPlanFor(c.outcome, c.api)
        : { processed: true, forced: null, delivery: "once" as const };
    // The queue-timeout fault: carried out all the same, but the notice replaces the result.
    const timedOut = planned.delivery !== "never" && this.stk.faults.roll("queueTimeout");
    const plan = timedOut ? { ...planned, delivery: "timeout_notice" as const } : planned;
    const why = timedOut ? "fault: queueTimeout" : `test number ${c.msisdn}`;
    if (plan.processed)
      this.stk.scheduler.after(resultDelayMs, () => {
        const processed = carryOut(request, c, plan.forced, this.#context());
        this.#finish(c, processed);
        if (plan.delivery === "timeout_notice")
          this.results.suppress(c, processed.payload, `${why}: a queue-timeout notice instead`);
        else
          dispatchResult(c, processed.payload, plan.delivery, {
            results: this.results,
            faults: this.stk.faults,
          });
      });
    if (plan.delivery === "timeout_notice")
      this.stk.scheduler.after(Math.max(queueTimeoutMs, plan.processed ? resultDelayMs : 0), () => {
        const notice = {
          resultCode: QUEUE_TIMEOUT_CODE,
          resultDesc: RESULT_TEXT.timedOut,
          transactionId: placeholderTransactionId(this.stk.now()),
        };
        if (!plan.processed)
          this.#finish(c, { result: notice, payload: failureResult(c, notice) }, "timed_out");
        this.results.schedule(c, failureResult(c, notice), {
          target: "timeout",
          delayMs: 0,
          note: `${why}: the request timed out in the queue`,
        });
      });
  }

  #context() {
    return {
      now: this.stk.now(),
      accounts: this.accounts,
      transactions: this.transactions,
      statement: this.statement,
      merchants: this.stk.settings.merchants,
      newReceipt: (now: Date) => this.stk.newReceipt(now),
    };
  }

  #finish(c: Conversation, processed: Processed, status: Conversation["status"] = "completed"): void {
    c.status = status;
    c.completedAt = this.stk.now();
    c.result = processed.result;
    this.events.emit("conversation", c);
  }
}

export type { InitiatorApi };
