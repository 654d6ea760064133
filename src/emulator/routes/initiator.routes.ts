/**
 * Daraja's B2C (v1 and v3), Reversal, Transaction Status and Account Balance paths. Checks run in
 * the gateway's order — method (405.001), token (each product's own code: 401.002.01 for B2C and
 * Account Balance, 404.001.03 for Reversal, 400.003.01 for Transaction Status), fields
 * (400.002.02 Invalid <Field>), then the gateway's refusals (spike arrest, duplicate
 * OriginatorConversationID) — and the acceptance is written as Daraja writes it. The initiator's
 * credential is checked later, in the result (2001), as on Daraja.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type DarajaRejection, rejections } from "../errors.ts";
import {
  AccountBalanceBody,
  B2cV1Body,
  B2cV3Body,
  InitiatorAccepted,
  ReversalBody,
  TransactionStatusBody,
} from "../initiator-schemas.ts";
import type { InitiatorRequest, InitiatorSimulator } from "../initiator-simulator.ts";
import {
  validateAccountBalance,
  validateB2c,
  validateReversal,
  validateTransactionStatus,
} from "../initiator-validation.ts";
import type { EmulatorSettings } from "../options.ts";
import type { RequestLog } from "../requests.ts";
import { DarajaError } from "../schemas.ts";
import type { Simulator } from "../simulator.ts";
import { bearerTokenOf, type TokenStore } from "../tokens.ts";
import type { Validation } from "../validation.ts";
import { bodyOf, darajaReplies, passThrough } from "./daraja-replies.ts";

export const B2C_V1_PATH = "/mpesa/b2c/v1/paymentrequest";
export const B2C_V3_PATH = "/mpesa/b2c/v3/paymentrequest";
export const REVERSAL_PATH = "/mpesa/reversal/v1/request";
export const TRANSACTION_STATUS_PATH = "/mpesa/transactionstatus/v1/query";
export const ACCOUNT_BALANCE_PATH = "/mpesa/accountbalance/v1/query";

export interface InitiatorRouteDeps {
  simulator: Simulator;
  initiators: InitiatorSimulator;
  tokens: TokenStore;
  requests: RequestLog;
  settings: EmulatorSettings;
}

const ACCEPTED = "Accept the service request successfully.";

interface RouteSpec {
  path: string;
  summary: string;
  body: object;
  /** The refusal of a missing, unknown or expired token on this product. */
  tokenRejection: (request: FastifyRequest) => DarajaRejection;
  validate: (body: unknown) => Validation<InitiatorRequest>;
  /** B2C answers ConversationID first; the others OriginatorConversationID first. */
  conversationFirst: boolean;
}

const b2cToken = (request: FastifyRequest) =>
  rejections.invalidAccessTokenB2c(bearerTokenOf(request.headers.authorization));

function lift<T>(valid: Validation<T>, make: (value: T) => InitiatorRequest): Validation<InitiatorRequest> {
  return valid.ok ? { ok: true, value: make(valid.value) } : valid;
}

const ROUTES: readonly RouteSpec[] = [
  {
    path: B2C_V3_PATH,
    summary: "B2C payment (v3): pay a customer from the organisation's Utility Account",
    body: B2cV3Body,
    tokenRejection: b2cToken,
    validate: (b) => lift(validateB2c(b, "v3"), (valid) => ({ api: "b2c", valid })),
    conversationFirst: true,
  },
  {
    path: B2C_V1_PATH,
    summary: "B2C payment (v1, legacy: Daraja makes up the OriginatorConversationID)",
    body: B2cV1Body,
    tokenRejection: b2cToken,
    validate: (b) => lift(validateB2c(b, "v1"), (valid) => ({ api: "b2c", valid })),
    conversationFirst: true,
  },
  {
    path: REVERSAL_PATH,
    summary: "Reversal of a customer's payment (by its receipt)",
    body: ReversalBody,
    tokenRejection: () => rejections.invalidAccessToken,
    validate: (b) => lift(validateReversal(b), (valid) => ({ api: "reversal", valid })),
    conversationFirst: false,
  },
  {
    path: TRANSACTION_STATUS_PATH,
    summary: "Transaction Status: what became of a transaction (by receipt or OriginatorConversationID)",
    body: TransactionStatusBody,
    tokenRejection: () => rejections.invalidAccessTokenQuery,
    validate: (b) => lift(validateTransactionStatus(b), (valid) => ({ api: "transaction_status", valid })),
    conversationFirst: false,
  },
  {
    path: ACCOUNT_BALANCE_PATH,
    summary: "Account Balance: the organisation's accounts",
    body: AccountBalanceBody,
    tokenRejection: b2cToken,
    validate: (b) => lift(validateAccountBalance(b), (valid) => ({ api: "account_balance", valid })),
    conversationFirst: false,
  },
];

export function registerInitiatorRoutes(app: FastifyInstance, deps: InitiatorRouteDeps): void {
  const { initiators, settings } = deps;
  const { sendJson, reject, authorised, drop, methodNotAllowed } = darajaReplies(app, deps);

  for (const spec of ROUTES) {
    app.post(
      spec.path,
      {
        ...passThrough,
        schema: {
          tags: ["Daraja"],
          summary: spec.summary,
          security: [{ bearer: [] }],
          body: spec.body,
          response: {
            200: InitiatorAccepted,
            400: DarajaError,
            401: DarajaError,
            404: DarajaError,
            405: DarajaError,
            500: DarajaError,
          },
        },
      },
      (request: FastifyRequest, reply: FastifyReply) => {
        if (!authorised(request)) return reject(request, reply, spec.tokenRejection(request));
        const valid = spec.validate(bodyOf(request));
        if (!valid.ok) return reject(request, reply, valid.rejection);
        const decision = initiators.accept(valid.value, request.url, request.body as Record<string, unknown>);
        if (decision.kind === "rejected") return reject(request, reply, decision.rejection);
        const c = decision.conversation;
        const meta = { conversationId: c.conversationId };
        if (c.responseLost) return drop(request, reply, settings.responseLostHoldMs, meta);
        const ids = spec.conversationFirst
          ? { ConversationID: c.conversationId, OriginatorConversationID: c.originatorConversationId }
          : { OriginatorConversationID: c.originatorConversationId, ConversationID: c.conversationId };
        return sendJson(
          request,
          reply,
          200,
          { ...ids, ResponseCode: "0", ResponseDescription: ACCEPTED },
          meta,
        );
      },
    );
    methodNotAllowed("POST", spec.path);
  }
}
