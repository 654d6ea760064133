/**
 * The control API under /__emulator (JSON): inspect sessions, Daraja requests and callback
 * deliveries; resolve a prompt; script a number; change the time scale; inject faults; reset.
 */
import { type TSchema, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { normalizeMsisdn } from "../../daraja/phone.ts";
import { ControlError } from "../control.ts";
import type { InitiatorSimulator } from "../initiator-simulator.ts";
import type { EmulatorSettings } from "../options.ts";
import { TEST_NUMBERS } from "../outcomes.ts";
import { PAYOUT_TEST_NUMBERS } from "../payout-outcomes.ts";
import { MAX_REQUESTS, type RequestLog } from "../requests.ts";
import {
  CheckoutParams,
  ControlError as ControlErrorSchema,
  Delivery,
  documented,
  FaultsBody,
  MsisdnParams,
  OutcomeBody,
  RecordedRequest,
  ResolveBody,
  Session,
  TimeScaleBody,
  TokensBody,
} from "../schemas.ts";
import type { Simulator } from "../simulator.ts";
import type { TokenStore } from "../tokens.ts";
import { OAUTH_PATH, STK_PUSH_PATH, STK_QUERY_PATH } from "./daraja.routes.ts";
import {
  ACCOUNT_BALANCE_PATH,
  B2C_V1_PATH,
  B2C_V3_PATH,
  REVERSAL_PATH,
  TRANSACTION_STATUS_PATH,
} from "./initiator.routes.ts";
import { STATEMENT_PATH } from "./statement.routes.ts";

export interface ControlRouteDeps {
  simulator: Simulator;
  initiators: InitiatorSimulator;
  requests: RequestLog;
  settings: EmulatorSettings;
  tokens: TokenStore;
  /** Resets the whole emulator (sessions, deliveries, requests, overrides, faults, time scale, token lifetime). */
  reset: () => void;
  baseUrl: () => string | null;
}

const tags = ["Control"];
const errors = { 400: ControlErrorSchema, 404: ControlErrorSchema, 409: ControlErrorSchema };
const responses = (ok?: TSchema) => documented(ok ? { 200: ok, ...errors } : errors);

/** A canonical MSISDN from a path parameter, or a 400. */
export function msisdnParam(value: string): string {
  const msisdn = normalizeMsisdn(value);
  if (msisdn === null) throw new ControlError(400, "INVALID_INPUT", `not a Kenyan mobile number: ${value}`);
  return msisdn;
}

export function registerControlRoutes(parent: FastifyInstance, deps: ControlRouteDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { simulator, initiators, requests, settings, tokens } = deps;

  app.get(
    "/__emulator/info",
    { schema: { tags, summary: "Base URL, credentials, merchants, settings and test numbers" } },
    () => ({
      baseUrl: deps.baseUrl(),
      paths: {
        oauth: OAUTH_PATH,
        stkPush: STK_PUSH_PATH,
        stkQuery: STK_QUERY_PATH,
        b2c: B2C_V3_PATH,
        b2cV1: B2C_V1_PATH,
        reversal: REVERSAL_PATH,
        transactionStatus: TRANSACTION_STATUS_PATH,
        accountBalance: ACCOUNT_BALANCE_PATH,
        certificate: "/__emulator/certificate",
        statement: STATEMENT_PATH,
      },
      consumerKey: settings.consumerKey,
      consumerSecret: settings.consumerSecret,
      merchants: [...settings.merchants.values()],
      timeScale: simulator.scheduler.timeScale,
      promptTimeoutMs: settings.promptTimeoutMs,
      callbackDelayMs: settings.callbackDelayMs,
      answerDelayMs: settings.answerDelayMs,
      responseLostHoldMs: settings.responseLostHoldMs,
      tokenTtlSeconds: tokens.ttlSeconds,
      strictTimestamp: settings.strictTimestamp,
      queryProcessingStyle: settings.queryProcessingStyle,
      maxAccountReferenceLength: settings.maxAccountReferenceLength,
      testNumbers: TEST_NUMBERS,
      // The emulator's own operators: not secrets, like the consumer key and secret above.
      initiators: [...settings.initiators.values()],
      resultDelayMs: settings.resultDelayMs,
      queueTimeoutMs: settings.queueTimeoutMs,
      openingBalances: settings.openingBalances,
      payoutTestNumbers: PAYOUT_TEST_NUMBERS,
      payoutOverrides: [...initiators.payoutOverrides].map(([msisdn, outcome]) => ({ msisdn, outcome })),
    }),
  );

  app.get(
    "/__emulator/numbers",
    { schema: { tags, summary: "The test numbers and every outcome set through this API" } },
    () => ({
      testNumbers: TEST_NUMBERS.map((t) => ({ ...t, effectiveOutcome: simulator.outcomeFor(t.msisdn) })),
      overrides: [...simulator.overrides].map(([msisdn, outcome]) => ({ msisdn, outcome })),
    }),
  );

  app.put(
    "/__emulator/numbers/:msisdn/outcome",
    {
      schema: {
        tags,
        summary: "Script what happens to pushes to a number (any valid number, not only test numbers)",
        params: MsisdnParams,
        body: OutcomeBody,
        response: responses(),
      },
    },
    (request) => {
      const msisdn = msisdnParam(request.params.msisdn);
      simulator.setOutcome(msisdn, request.body.outcome);
      return { msisdn, outcome: simulator.outcomeFor(msisdn) };
    },
  );

  app.delete(
    "/__emulator/numbers/:msisdn/outcome",
    { schema: { tags, summary: "Back to the built-in behaviour of a number", params: MsisdnParams } },
    (request) => {
      const msisdn = msisdnParam(request.params.msisdn);
      simulator.setOutcome(msisdn, null);
      return { msisdn, outcome: simulator.outcomeFor(msisdn) };
    },
  );

  app.get(
    "/__emulator/sessions",
    {
      schema: {
        tags,
        summary: "STK sessions, newest first",
        querystring: Type.Object({
          phoneNumber: Type.Optional(Type.String()),
          status: Type.Optional(Type.Union([Type.Literal("pending"), Type.Literal("completed")])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
        }),
        response: responses(Type.Object({ sessions: Type.Array(Session) })),
      },
    },
    (request) => {
      const { phoneNumber, status, limit } = request.query;
      const filter = {
        ...(phoneNumber !== undefined ? { phoneNumber: msisdnParam(phoneNumber) } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(limit !== undefined ? { limit } : {}),
      };
      return { sessions: simulator.sessions.list(filter) };
    },
  );

  app.get(
    "/__emulator/sessions/:checkoutRequestId",
    {
      schema: {
        tags,
        summary: "One session with its callback deliveries",
        params: CheckoutParams,
        response: responses(Type.Object({ session: Session, deliveries: Type.Array(Delivery) })),
      },
    },
    (request) => {
      const id = request.params.checkoutRequestId;
      const session = simulator.sessions.get(id);
      if (session === undefined) throw new ControlError(404, "SESSION_NOT_FOUND", `no session ${id}`);
      return { session, deliveries: simulator.callbacks.list({ checkoutRequestId: id }) };
    },
  );

  app.post(
    "/__emulator/sessions/:checkoutRequestId/resolve",
    {
      schema: {
        tags,
        summary:
          "End an open prompt as if the customer paid, cancelled, typed a wrong PIN, … (or it timed out)",
        params: CheckoutParams,
        body: ResolveBody,
        response: responses(Type.Object({ session: Session })),
      },
    },
    (request) => ({ session: simulator.resolve(request.params.checkoutRequestId, request.body.action) }),
  );

  app.get(
    "/__emulator/requests",
    {
      schema: {
        tags,
        summary: `Daraja API requests the emulator answered, oldest first (the latest ${MAX_REQUESTS}), and how many per path since start or reset`,
        querystring: Type.Object({ path: Type.Optional(Type.String()) }),
        response: responses(
          Type.Object({
            requests: Type.Array(RecordedRequest),
            totals: Type.Record(Type.String(), Type.Integer(), {
              description: "requests per path, all of them",
            }),
          }),
        ),
      },
    },
    (request) => ({
      requests: requests.list(request.query.path !== undefined ? { path: request.query.path } : {}),
      totals: requests.totals(),
    }),
  );

  app.get(
    "/__emulator/callbacks",
    {
      schema: {
        tags,
        summary: "Callback deliveries and the answers they got, oldest first",
        querystring: Type.Object({ checkoutRequestId: Type.Optional(Type.String()) }),
        response: responses(Type.Object({ deliveries: Type.Array(Delivery) })),
      },
    },
    (request) => ({
      deliveries: simulator.callbacks.list(
        request.query.checkoutRequestId !== undefined
          ? { checkoutRequestId: request.query.checkoutRequestId }
          : {},
      ),
    }),
  );

  app.get("/__emulator/time-scale", { schema: { tags, summary: "The current time scale" } }, () => ({
    timeScale: simulator.scheduler.timeScale,
  }));

  app.put(
    "/__emulator/time-scale",
    {
      schema: {
        tags,
        summary: "Multiply every delay scheduled from now on (0.01: the 60 s prompt timeout lasts 0.6 s)",
        body: TimeScaleBody,
      },
    },
    (request) => {
      simulator.scheduler.timeScale = request.body.timeScale;
      return { timeScale: simulator.scheduler.timeScale };
    },
  );

  const tokensView = () => ({ ttlSeconds: tokens.ttlSeconds, valid: tokens.validCount });

  app.get(
    "/__emulator/tokens",
    { schema: { tags, summary: "Lifetime of new access tokens and how many issued ones are valid" } },
    () => tokensView(),
  );

  app.put(
    "/__emulator/tokens",
    {
      schema: {
        tags,
        summary: "Set the lifetime (expires_in) of tokens issued from now on, e.g. a few seconds in tests",
        body: TokensBody,
        response: responses(),
      },
    },
    (request) => {
      tokens.ttlSeconds = request.body.ttlSeconds;
      return tokensView();
    },
  );

  app.delete(
    "/__emulator/tokens",
    {
      schema: {
        tags,
        summary: "Expire every token issued so far: the next Daraja call with one gets 404.001.03",
      },
    },
    () => ({ expired: tokens.expireAll(), ...tokensView() }),
  );

  const faultsView = () => ({ ...simulator.faults.config, injected: simulator.faults.injected });

  app.get(
    "/__emulator/faults",
    { schema: { tags, summary: "Fault rates, seed and how often each fired" } },
    () => faultsView(),
  );

  app.put(
    "/__emulator/faults",
    {
      schema: {
        tags,
        summary: "Inject faults at the given rates (0–1); the seed makes the sequence reproducible",
        body: FaultsBody,
        response: responses(),
      },
    },
    (request) => {
      try {
        simulator.faults.configure(request.body);
      } catch (error) {
        throw new ControlError(400, "INVALID_INPUT", error instanceof Error ? error.message : String(error));
      }
      return faultsView();
    },
  );

  app.delete("/__emulator/faults", { schema: { tags, summary: "No more faults" } }, () => {
    simulator.faults.clear();
    return faultsView();
  });

  app.post(
    "/__emulator/reset",
    {
      schema: {
        tags,
        summary:
          "Forget sessions, conversations, transactions (and the statement), requests, deliveries, outcomes and faults; cancel timers; reopen the accounts",
      },
    },
    () => {
      deps.reset();
      return { reset: true };
    },
  );
}
