/**
 * The control API for B2C, reversals and queries, under /__emulator: the certificate to encrypt
 * initiator passwords with, conversations and their result deliveries, the M-Pesa transactions
 * made, the organisations' accounts, and what a number's payouts do.
 */
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { ControlError } from "../control.ts";
import type { InitiatorApi } from "../conversations.ts";
import {
  Accounts,
  AccountsBody,
  ApiName,
  Conversation,
  PayoutOutcomeBody,
  ResultDelivery,
  Transaction,
} from "../initiator-schemas.ts";
import type { InitiatorSimulator } from "../initiator-simulator.ts";
import type { EmulatorSettings } from "../options.ts";
import { PAYOUT_TEST_NUMBERS } from "../payout-outcomes.ts";
import { ControlError as ControlErrorSchema, documented, MsisdnParams } from "../schemas.ts";
import { msisdnParam } from "./control.routes.ts";

export interface InitiatorControlDeps {
  initiators: InitiatorSimulator;
  settings: EmulatorSettings;
}

const tags = ["Control"];
const errors = { 400: ControlErrorSchema, 404: ControlErrorSchema };

export function registerInitiatorControlRoutes(parent: FastifyInstance, deps: InitiatorControlDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { initiators, settings } = deps;

  app.get(
    "/__emulator/certificate",
    {
      schema: {
        tags,
        summary:
          "The emulator's X.509 certificate (PEM): encrypt the initiator password with it (RSA PKCS#1 v1.5, base64) to make a SecurityCredential",
        produces: ["application/x-pem-file"],
      },
    },
    (_request, reply) => reply.type("application/x-pem-file").send(initiators.keys.certificatePem),
  );

  app.get(
    "/__emulator/conversations",
    {
      schema: {
        tags,
        summary: "Accepted B2C, reversal, status and balance requests, newest first",
        querystring: Type.Object({
          api: Type.Optional(ApiName),
          msisdn: Type.Optional(Type.String()),
          originatorConversationId: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
        }),
        response: documented({ 200: Type.Object({ conversations: Type.Array(Conversation) }), ...errors }),
      },
    },
    (request) => {
      const { api, msisdn, originatorConversationId, limit } = request.query;
      return {
        conversations: initiators.conversations.list({
          ...(api !== undefined ? { api: api as InitiatorApi } : {}),
          ...(msisdn !== undefined ? { msisdn: msisdnParam(msisdn) } : {}),
          ...(originatorConversationId !== undefined ? { originatorConversationId } : {}),
          ...(limit !== undefined ? { limit } : {}),
        }),
      };
    },
  );

  app.get(
    "/__emulator/conversations/:conversationId",
    {
      schema: {
        tags,
        summary: "One conversation and its result deliveries",
        params: Type.Object({ conversationId: Type.String() }),
        response: documented({
          200: Type.Object({ conversation: Conversation, deliveries: Type.Array(ResultDelivery) }),
          ...errors,
        }),
      },
    },
    (request) => {
      const id = request.params.conversationId;
      const conversation = initiators.conversations.get(id);
      if (conversation === undefined)
        throw new ControlError(404, "CONVERSATION_NOT_FOUND", `no conversation ${id}`);
      return { conversation, deliveries: initiators.results.list({ conversationId: id }) };
    },
  );

  app.get(
    "/__emulator/results",
    {
      schema: {
        tags,
        summary: "Result and queue-timeout deliveries and the answers they got, oldest first",
        querystring: Type.Object({
          conversationId: Type.Optional(Type.String()),
          originatorConversationId: Type.Optional(Type.String()),
        }),
        response: documented({ 200: Type.Object({ deliveries: Type.Array(ResultDelivery) }) }),
      },
    },
    (request) => ({ deliveries: initiators.results.list(request.query) }),
  );

  app.get(
    "/__emulator/transactions",
    {
      schema: {
        tags,
        summary: "M-Pesa transactions made: customer payments, B2C payouts, reversals (newest first)",
        querystring: Type.Object({ msisdn: Type.Optional(Type.String()) }),
        response: documented({ 200: Type.Object({ transactions: Type.Array(Transaction) }), ...errors }),
      },
    },
    (request) => ({
      transactions: initiators.transactions.list(
        request.query.msisdn !== undefined ? { msisdn: msisdnParam(request.query.msisdn) } : {},
      ),
    }),
  );

  const accountsOf = (shortcode: string) => ({ shortcode, ...initiators.accounts.balances(shortcode) });
  const knownShortcode = (shortcode: string) => {
    if (!settings.merchants.has(shortcode))
      throw new ControlError(404, "ORGANISATION_NOT_FOUND", `no organisation with shortcode ${shortcode}`);
    return shortcode;
  };

  app.get(
    "/__emulator/accounts",
    {
      schema: {
        tags,
        summary: "Each organisation's Working, Utility and Charges Paid balances, in cents",
        response: documented({ 200: Type.Object({ accounts: Type.Array(Accounts) }) }),
      },
    },
    () => ({ accounts: [...settings.merchants.keys()].map(accountsOf) }),
  );

  app.put(
    "/__emulator/accounts/:shortcode",
    {
      schema: {
        tags,
        summary: "Set an organisation's balances (KES), e.g. an empty Utility Account to see result 1",
        params: Type.Object({ shortcode: Type.String() }),
        body: AccountsBody,
        response: documented({ 200: Accounts, ...errors }),
      },
    },
    (request) => {
      const shortcode = knownShortcode(request.params.shortcode);
      initiators.accounts.set(shortcode, request.body);
      return accountsOf(shortcode);
    },
  );

  app.get(
    "/__emulator/payout-numbers",
    { schema: { tags, summary: "The payout test numbers and every payout outcome set through this API" } },
    () => ({
      testNumbers: PAYOUT_TEST_NUMBERS.map((t) => ({
        ...t,
        effectiveOutcome: initiators.payoutOutcomeFor(t.msisdn),
      })),
      overrides: [...initiators.payoutOverrides].map(([msisdn, outcome]) => ({ msisdn, outcome })),
    }),
  );

  app.put(
    "/__emulator/numbers/:msisdn/payout-outcome",
    {
      schema: {
        tags,
        summary: "Script what B2C payouts to a number (and reversals of its payments) do",
        params: MsisdnParams,
        body: PayoutOutcomeBody,
        response: documented(errors),
      },
    },
    (request) => {
      const msisdn = msisdnParam(request.params.msisdn);
      initiators.setPayoutOutcome(msisdn, request.body.outcome);
      return { msisdn, outcome: initiators.payoutOutcomeFor(msisdn) };
    },
  );

  app.delete(
    "/__emulator/numbers/:msisdn/payout-outcome",
    { schema: { tags, summary: "Back to the built-in payout behaviour of a number", params: MsisdnParams } },
    (request) => {
      const msisdn = msisdnParam(request.params.msisdn);
      initiators.setPayoutOutcome(msisdn, null);
      return { msisdn, outcome: initiators.payoutOutcomeFor(msisdn) };
    },
  );
}
