/**
 * The client's B2C, Reversal, Transaction Status and Account Balance calls: validate, build the
 * body, send it through the client's `postWithToken` (token refresh, rate limiter, transport) and
 * read Daraja's synchronous acceptance. What may be resent follows the operations table: the two
 * queries are retried with backoff; a B2C and a Reversal are sent once per call, a lost answer
 * surfacing as `outcome_unknown` (the transport and the error mapping read `mayActOnceSent`).
 */
import type { Logger } from "pino";
import type { Secret } from "../secret.ts";
import { B2C_PAYMENT_PATH, buildB2cPaymentBody, validateB2cPaymentInput } from "./b2c-request.ts";
import type { DarajaPayoutsApi, InitiatorShortcode } from "./contract.ts";
import type { RawResponse } from "./error-response.ts";
import { DarajaError, type DarajaOperation, invalidInput } from "./errors.ts";
import { type InitiatorParty, validateParty } from "./initiator-request.ts";
import { type InitiatorOperation, readInitiatorAcceptance } from "./initiator-response.ts";
import { maskMsisdn } from "./phone.ts";
import {
  ACCOUNT_BALANCE_PATH,
  buildAccountBalanceBody,
  buildTransactionStatusBody,
  TRANSACTION_STATUS_PATH,
  validateAccountBalanceInput,
  validateTransactionStatusInput,
} from "./query-requests.ts";
import { type RetryContext, withRetries } from "./retry.ts";
import { buildReversalBody, REVERSAL_PATH, validateReversalInput } from "./reversal-request.ts";

/** The API operator the organisation sends money out as. */
export interface InitiatorOptions {
  /** InitiatorName / Initiator. */
  name: string;
  /**
   * The initiator password encrypted with M-Pesa's certificate (security-credential.ts), or how to
   * get it when first needed (a separately run emulator's certificate is fetched; a failure is a
   * local, retryable DarajaError: nothing was sent).
   */
  securityCredential: Secret | (() => Promise<Secret>);
  /** The B2C shortcode payouts leave from (often not the paybill). */
  b2cShortcode: string;
}

export interface InitiatorCallDeps {
  /** Null when the client was built without an initiator: every call is refused locally. */
  initiator: InitiatorOptions | null;
  /** The shortcode that collects payments (the STK BusinessShortCode): reversals are asked as it. */
  collectionsShortcode: string;
  post(operation: DarajaOperation, path: string, body: () => unknown): Promise<RawResponse>;
  retry: Omit<RetryContext, "operation">;
  log: Logger | undefined;
}

async function credentialOf(initiator: InitiatorOptions, operation: InitiatorOperation): Promise<Secret> {
  const credential = initiator.securityCredential;
  if (typeof credential !== "function") return credential;
  try {
    return await credential();
  } catch (error) {
    throw new DarajaError("network", `The SecurityCredential is not available: ${(error as Error).message}`, {
      operation,
      retryable: true,
      local: true,
      cause: error,
    });
  }
}

export function createInitiatorCalls(deps: InitiatorCallDeps): DarajaPayoutsApi {
  async function party(operation: InitiatorOperation, as: InitiatorShortcode): Promise<InitiatorParty> {
    const initiator = deps.initiator;
    if (initiator === null)
      throw invalidInput(operation, "SecurityCredential", "the client was built without an initiator");
    const sender: InitiatorParty = {
      shortcode: as === "payouts" ? initiator.b2cShortcode : deps.collectionsShortcode,
      initiatorName: initiator.name,
      securityCredential: await credentialOf(initiator, operation),
    };
    // Checked before anything is queued for sending; nothing about it appears in a message.
    validateParty(operation, sender);
    return sender;
  }

  const logFailure = (error: unknown, fields: Record<string, unknown>, message: string) => {
    if (error instanceof DarajaError) deps.log?.warn({ ...fields, err: error.toJSON() }, message);
  };

  return {
    async b2cPayment(input) {
      const payment = validateB2cPaymentInput(input);
      const sender = await party("b2c_payment", "payouts");
      const fields = {
        originatorConversationId: payment.originatorConversationId,
        phone: maskMsisdn(payment.msisdn),
        amount: payment.amount,
      };
      try {
        const response = await deps.post("b2c_payment", B2C_PAYMENT_PATH, () =>
          buildB2cPaymentBody(sender, payment),
        );
        const accepted = readInitiatorAcceptance("b2c_payment", response, payment.originatorConversationId);
        deps.log?.info({ ...fields, conversationId: accepted.conversationId }, "b2c payment accepted");
        return accepted;
      } catch (error) {
        logFailure(error, fields, "b2c payment failed");
        throw error;
      }
    },

    async reversal(input) {
      const reversal = validateReversalInput(input);
      const sender = await party("reversal", "collections");
      const fields = { transactionId: reversal.transactionId, amount: reversal.amount };
      try {
        const response = await deps.post("reversal", REVERSAL_PATH, () =>
          buildReversalBody(sender, reversal),
        );
        const accepted = readInitiatorAcceptance("reversal", response);
        deps.log?.info({ ...fields, conversationId: accepted.conversationId }, "reversal accepted");
        return accepted;
      } catch (error) {
        logFailure(error, fields, "reversal failed");
        throw error;
      }
    },

    async transactionStatus(input) {
      const query = validateTransactionStatusInput(input);
      const asker = await party("transaction_status", input.party);
      return withRetries(
        async () =>
          readInitiatorAcceptance(
            "transaction_status",
            await deps.post("transaction_status", TRANSACTION_STATUS_PATH, () =>
              buildTransactionStatusBody(asker, query),
            ),
          ),
        { ...deps.retry, operation: "transaction_status" },
      );
    },

    async accountBalance(input) {
      const query = validateAccountBalanceInput(input);
      const asker = await party("account_balance", "payouts");
      return withRetries(
        async () =>
          readInitiatorAcceptance(
            "account_balance",
            await deps.post("account_balance", ACCOUNT_BALANCE_PATH, () =>
              buildAccountBalanceBody(asker, query),
            ),
          ),
        { ...deps.retry, operation: "account_balance" },
      );
    },
  };
}
