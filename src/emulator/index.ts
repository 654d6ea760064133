/**
 * A faithful local stand-in for Safaricom's Daraja API — OAuth, STK Push, STK Push Query and the
 * STK callback; B2C, Reversal, Transaction Status, Account Balance and their results — with a
 * simulated phone, stateful organisation accounts, a control API and seeded fault injection.
 *
 *   const emulator = await createEmulator({ timeScale: 0.01 });
 *   const baseUrl = await emulator.listen();   // http://127.0.0.1:<port>
 *   …
 *   await emulator.close();
 */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { AccountBalances } from "./accounts.ts";
import { createEmulatorApp, registerFallbacks } from "./app.ts";
import type { CallbackDelivery } from "./callbacks.ts";
import { processCredentialKeys } from "./certificate.ts";
import type { PhoneAnswer, ResolveAction } from "./control.ts";
import type { Conversation, InitiatorApi } from "./conversations.ts";
import type { FaultConfig, FaultConfigInput } from "./faults.ts";
import { InitiatorSimulator } from "./initiator-simulator.ts";
import { type EmulatorOptions, type EmulatorSettings, resolveSettings } from "./options.ts";
import type { Outcome } from "./outcomes.ts";
import type { PayoutOutcome } from "./payout-outcomes.ts";
import { type RecordedRequest, RequestLog } from "./requests.ts";
import type { ResultDelivery } from "./result-sender.ts";
import { registerControlRoutes } from "./routes/control.routes.ts";
import { registerDarajaRoutes } from "./routes/daraja.routes.ts";
import { registerInitiatorRoutes } from "./routes/initiator.routes.ts";
import { registerInitiatorControlRoutes } from "./routes/initiator-control.routes.ts";
import { registerPageRoutes } from "./routes/pages.routes.ts";
import { registerStatementRoutes } from "./routes/statement.routes.ts";
import type { SessionStatus, StkSession } from "./sessions.ts";
import { Simulator } from "./simulator.ts";
import { TokenStore } from "./tokens.ts";
import type { MpesaTransaction } from "./transactions.ts";

export type { AccountBalances } from "./accounts.ts";
export type { CallbackDelivery, DeliveryStatus } from "./callbacks.ts";
export type { CredentialKeys } from "./certificate.ts";
export { type PhoneAnswer, RESOLVE_ACTIONS, type ResolveAction } from "./control.ts";
export type { Conversation, ConversationStatus, InitiatorApi } from "./conversations.ts";
export { DEFAULT_INITIATOR, type Initiator } from "./credentials.ts";
export type { FaultConfig, FaultConfigInput, FaultKind, FaultRates } from "./faults.ts";
export { emulatorOptionsFrom } from "./from-config.ts";
export type { EmulatorOptions, EmulatorSettings, Merchant, QueryProcessingStyle } from "./options.ts";
export { OUTCOMES, type Outcome, type ResultKind, TEST_NUMBERS, type TestNumber } from "./outcomes.ts";
export {
  PAYOUT_OUTCOMES,
  PAYOUT_TEST_NUMBERS,
  type PayoutOutcome,
  type PayoutTestNumber,
} from "./payout-outcomes.ts";
export type { RecordedRequest } from "./requests.ts";
export type { ResultDelivery } from "./result-sender.ts";
export type { Receipt, ResolvedBy, SessionStatus, StkResult, StkSession } from "./sessions.ts";
export type { MpesaTransaction } from "./transactions.ts";

export interface EmulatorSessions {
  /** Newest first. */
  list(filter?: { phoneNumber?: string; status?: SessionStatus; limit?: number }): StkSession[];
  get(checkoutRequestId: string): StkSession | undefined;
  /** The prompt open on a phone, if any. */
  pendingFor(msisdn: string): StkSession | undefined;
  waitFor(predicate: (session: StkSession) => boolean, timeoutMs?: number): Promise<StkSession>;
}

export interface EmulatorDeliveries {
  /** Oldest first. */
  list(filter?: { checkoutRequestId?: string }): CallbackDelivery[];
  waitFor(predicate: (delivery: CallbackDelivery) => boolean, timeoutMs?: number): Promise<CallbackDelivery>;
}

export interface EmulatorConversations {
  /** Newest first. */
  list(filter?: { api?: InitiatorApi; msisdn?: string; originatorConversationId?: string }): Conversation[];
  get(conversationId: string): Conversation | undefined;
  waitFor(predicate: (c: Conversation) => boolean, timeoutMs?: number): Promise<Conversation>;
}

export interface EmulatorResults {
  /** Oldest first. */
  list(filter?: { conversationId?: string; originatorConversationId?: string }): ResultDelivery[];
  waitFor(predicate: (d: ResultDelivery) => boolean, timeoutMs?: number): Promise<ResultDelivery>;
}

export interface Emulator {
  /** The emulator's own Fastify app (use `app.inject()` or `listen()`). */
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:<port>` once listening, else null. */
  readonly baseUrl: string | null;
  readonly settings: Readonly<EmulatorSettings>;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /**
   * Forgets sessions, conversations, transactions (and the statement), requests, deliveries, outcomes and faults,
   * cancels timers, restores the time scale, token lifetime and opening balances; issued tokens
   * stay valid.
   */
  reset(): void;
  readonly sessions: EmulatorSessions;
  readonly deliveries: EmulatorDeliveries;
  readonly requests: { list(filter?: { path?: string }): RecordedRequest[] };
  resolve(checkoutRequestId: string, action: ResolveAction): StkSession;
  answerPrompt(msisdn: string, answer: PhoneAnswer): StkSession;
  setOutcome(msisdn: string, outcome: Outcome | null): void;
  setTimeScale(timeScale: number): void;
  setFaults(input: FaultConfigInput): FaultConfig;
  /** Lifetime of tokens issued from now on (`expires_in`). */
  setTokenTtl(seconds: number): void;
  /** Every token issued so far stops working; returns how many were valid. */
  expireTokens(): number;
  /** PEM certificate to encrypt initiator passwords with (also `GET /__emulator/certificate`). */
  readonly certificatePem: string;
  /** Accepted B2C, reversal, status and balance requests. */
  readonly conversations: EmulatorConversations;
  /** Results and queue-timeout notices POSTed (or suppressed). */
  readonly results: EmulatorResults;
  /** M-Pesa transactions made: customer payments, payouts, reversals (newest first). */
  readonly transactions: {
    list(filter?: { msisdn?: string }): MpesaTransaction[];
    get(receipt: string): MpesaTransaction | undefined;
  };
  readonly accounts: {
    get(shortcode: string): AccountBalances;
    set(
      shortcode: string,
      balances: { workingKes?: number; utilityKes?: number; chargesPaidKes?: number },
    ): AccountBalances;
  };
  /** What payouts to `msisdn` (and reversals of its payments) do; null restores the built-in. */
  setPayoutOutcome(msisdn: string, outcome: PayoutOutcome | null): void;
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = resolveSettings(options);
  const simulator = new Simulator(settings, options.logger);
  const initiators = new InitiatorSimulator(
    simulator,
    settings.credentialKeys ?? (await processCredentialKeys()),
  );
  const tokens = new TokenStore(settings.tokenTtlSeconds, () => settings.clock.now());
  const requests = new RequestLog();
  let baseUrl: string | null = null;
  let closed = false;

  const app = await createEmulatorApp(options.logger ? simulator.logger : null);
  const reset = () => {
    simulator.reset();
    initiators.reset();
    requests.clear();
    tokens.restoreTtl();
  };
  const routeDeps = { simulator, initiators, tokens, requests, settings };
  registerDarajaRoutes(app, routeDeps);
  registerInitiatorRoutes(app, routeDeps);
  registerControlRoutes(app, { ...routeDeps, reset, baseUrl: () => baseUrl });
  registerInitiatorControlRoutes(app, routeDeps);
  registerStatementRoutes(app, routeDeps);
  registerPageRoutes(app, { simulator, initiators, settings, baseUrl: () => baseUrl });
  registerFallbacks(app, { simulator, requests });

  return {
    app,
    get baseUrl() {
      return baseUrl;
    },
    settings,
    async listen(port = 0, host = "127.0.0.1") {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const visibleHost =
        host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      baseUrl = `http://${visibleHost}:${address.port}`;
      return baseUrl;
    },
    async close() {
      if (closed) return;
      closed = true;
      simulator.close();
      initiators.close();
      await app.close();
      baseUrl = null;
    },
    reset,
    sessions: {
      list: (filter) => simulator.sessions.list(filter),
      get: (id) => simulator.sessions.get(id),
      pendingFor: (msisdn) => simulator.sessions.pendingFor(msisdn),
      waitFor: (predicate, timeoutMs) => simulator.waitForSession(predicate, timeoutMs),
    },
    deliveries: {
      list: (filter) => simulator.callbacks.list(filter),
      waitFor: (predicate, timeoutMs) => simulator.callbacks.waitFor(predicate, timeoutMs),
    },
    requests: { list: (filter) => requests.list(filter) },
    resolve: (id, action) => simulator.resolve(id, action),
    answerPrompt: (msisdn, answer) => simulator.answerPrompt(msisdn, null, answer),
    setOutcome: (msisdn, outcome) => simulator.setOutcome(msisdn, outcome),
    setTimeScale(timeScale) {
      if (!Number.isFinite(timeScale) || timeScale < 0) throw new RangeError("timeScale must be ≥ 0");
      simulator.scheduler.timeScale = timeScale;
    },
    setFaults: (input) => simulator.faults.configure(input),
    setTokenTtl(seconds) {
      tokens.ttlSeconds = seconds;
    },
    expireTokens: () => tokens.expireAll(),
    certificatePem: initiators.keys.certificatePem,
    conversations: {
      list: (filter) => initiators.conversations.list(filter),
      get: (id) => initiators.conversations.get(id),
      waitFor: (predicate, timeoutMs) => initiators.waitForConversation(predicate, timeoutMs),
    },
    results: {
      list: (filter) => initiators.results.list(filter),
      waitFor: (predicate, timeoutMs) => initiators.results.waitFor(predicate, timeoutMs),
    },
    transactions: {
      list: (filter) => initiators.transactions.list(filter),
      get: (receipt) => initiators.transactions.get(receipt),
    },
    accounts: {
      get: (shortcode) => ({ ...initiators.accounts.balances(shortcode) }),
      set: (shortcode, balances) => ({ ...initiators.accounts.set(shortcode, balances) }),
    },
    setPayoutOutcome: (msisdn, outcome) => initiators.setPayoutOutcome(msisdn, outcome),
  };
}
