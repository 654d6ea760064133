/**
 * Carrying out an accepted request, as M-Pesa's core would: check the initiator's credential, then
 * the request's own rules (B2C minimum, the receipt to reverse, what a status query names), then
 * the organisation's Utility Account — and move the money. Returns the result and its body.
 */
import { B2C_MIN_AMOUNT_KES } from "../daraja/b2c-request.ts";
import { b2cChargeKes, type OrganisationAccounts } from "./accounts.ts";
import type { Conversation, ConversationResult } from "./conversations.ts";
import { placeholderTransactionId } from "./identifiers.ts";
import type { InitiatorRequest } from "./initiator-simulator.ts";
import type { Merchant } from "./options.ts";
import type { PayoutPlan } from "./payout-outcomes.ts";
import {
  accountBalanceResult,
  b2cSuccessResult,
  failureResult,
  RESULT_TEXT,
  type ResultPayload,
  reversalSuccessResult,
  transactionStatusResult,
} from "./result-payloads.ts";
import type { StatementJournal } from "./statement.ts";
import { customerNameOf, type MpesaTransaction, type TransactionStore } from "./transactions.ts";

export interface ProcessingContext {
  now: Date;
  accounts: OrganisationAccounts;
  transactions: TransactionStore;
  statement: StatementJournal;
  merchants: ReadonlyMap<string, Required<Merchant>>;
  newReceipt: (now: Date) => string;
}

export interface Processed {
  result: ConversationResult;
  payload: ResultPayload;
}

function failure(
  c: Conversation,
  ctx: ProcessingContext,
  code: number | string,
  desc: string,
  occasion: string | null = null,
  transactionId?: string,
): Processed {
  const result = {
    resultCode: code,
    resultDesc: desc,
    transactionId: transactionId ?? placeholderTransactionId(ctx.now),
  };
  return { result, payload: failureResult(c, result, occasion) };
}

function newTransaction(
  ctx: ProcessingContext,
  c: Conversation,
  fields: Pick<
    MpesaTransaction,
    "kind" | "msisdn" | "amount" | "chargeKes" | "commandId" | "originalReceipt"
  >,
): MpesaTransaction {
  const transaction: MpesaTransaction = {
    receipt: ctx.newReceipt(ctx.now),
    shortcode: c.shortcode,
    organisationName: ctx.merchants.get(c.shortcode)?.name ?? "MALIPO",
    customerName: customerNameOf(fields.msisdn),
    initiatedAt: c.createdAt,
    completedAt: ctx.now,
    conversationId: c.conversationId,
    originatorConversationId: c.originatorConversationId,
    checkoutRequestId: null,
    reversedBy: null,
    ...fields,
  };
  ctx.transactions.add(transaction);
  return transaction;
}

function b2c(
  request: Extract<InitiatorRequest, { api: "b2c" }>,
  c: Conversation,
  forced: PayoutPlan["forced"],
  ctx: ProcessingContext,
): Processed {
  const { valid } = request;
  if (!c.credentialValid) return failure(c, ctx, 2001, RESULT_TEXT.initiatorInvalid);
  if (valid.amount < B2C_MIN_AMOUNT_KES) return failure(c, ctx, 2, RESULT_TEXT.belowMinimum);
  if (forced === "unregistered") return failure(c, ctx, 2040, RESULT_TEXT.unregistered);
  // A failure for funds still carries a real-looking TransactionID (as captured in 2023).
  if (forced === "insufficient_funds" || !ctx.accounts.canPay(c.shortcode, valid.amount))
    return failure(c, ctx, 1, RESULT_TEXT.insufficientFunds, null, ctx.newReceipt(ctx.now));
  const charge = b2cChargeKes(valid.amount);
  const balances = ctx.accounts.pay(c.shortcode, valid.amount, charge);
  const t = newTransaction(ctx, c, {
    kind: "b2c_payment",
    msisdn: valid.partyB,
    amount: valid.amount,
    chargeKes: charge,
    commandId: valid.commandId,
    originalReceipt: null,
  });
  ctx.statement.record(t, balances.utilityCents);
  const result = { resultCode: 0, resultDesc: RESULT_TEXT.success, transactionId: t.receipt };
  return { result, payload: b2cSuccessResult(c, result, t, balances) };
}

function reversal(
  request: Extract<InitiatorRequest, { api: "reversal" }>,
  c: Conversation,
  forced: PayoutPlan["forced"],
  ctx: ProcessingContext,
): Processed {
  const { valid } = request;
  if (!c.credentialValid) return failure(c, ctx, 2001, RESULT_TEXT.initiatorInvalid);
  const original = ctx.transactions.get(valid.transactionId);
  if (original === undefined || original.kind !== "stk_payment" || original.shortcode !== c.shortcode)
    return failure(c, ctx, "R000002", RESULT_TEXT.originalInvalid);
  if (original.reversedBy !== null) return failure(c, ctx, "R000001", RESULT_TEXT.alreadyReversed);
  // The payment is reversed in full, whatever Amount says; the result's Amount tells how much.
  if (forced === "insufficient_funds" || !ctx.accounts.canPay(c.shortcode, original.amount))
    return failure(c, ctx, 1, RESULT_TEXT.insufficientFunds);
  const balances = ctx.accounts.pay(c.shortcode, original.amount, 0);
  const t = newTransaction(ctx, c, {
    kind: "reversal",
    msisdn: original.msisdn,
    amount: original.amount,
    chargeKes: 0,
    commandId: "TransactionReversal",
    originalReceipt: original.receipt,
  });
  original.reversedBy = t.receipt;
  ctx.statement.record(t, balances.utilityCents);
  const result = { resultCode: 0, resultDesc: RESULT_TEXT.success, transactionId: t.receipt };
  return { result, payload: reversalSuccessResult(c, result, t, balances) };
}

function transactionStatus(
  request: Extract<InitiatorRequest, { api: "transaction_status" }>,
  c: Conversation,
  ctx: ProcessingContext,
): Processed {
  const { valid } = request;
  if (!c.credentialValid) return failure(c, ctx, 2001, RESULT_TEXT.initiatorInvalid, valid.occasion);
  const concerns = (t: MpesaTransaction | undefined) =>
    t !== undefined && (t.shortcode === valid.partyA || t.msisdn === valid.partyA) ? t : undefined;
  const found =
    (valid.transactionId === null ? undefined : concerns(ctx.transactions.get(valid.transactionId))) ??
    (valid.originalConversationId === null
      ? undefined
      : concerns(ctx.transactions.byConversation(valid.originalConversationId)));
  if (found === undefined) return failure(c, ctx, 2032, RESULT_TEXT.notFound, valid.occasion);
  const result = {
    resultCode: 0,
    resultDesc: RESULT_TEXT.success,
    transactionId: placeholderTransactionId(ctx.now),
  };
  return { result, payload: transactionStatusResult(c, result, found, valid.occasion) };
}

function accountBalance(c: Conversation, ctx: ProcessingContext): Processed {
  if (!c.credentialValid) return failure(c, ctx, 2001, RESULT_TEXT.initiatorInvalid);
  const result = {
    resultCode: 0,
    resultDesc: RESULT_TEXT.success,
    transactionId: placeholderTransactionId(ctx.now),
  };
  return { result, payload: accountBalanceResult(c, result, ctx.accounts.balances(c.shortcode), ctx.now) };
}

export function carryOut(
  request: InitiatorRequest,
  c: Conversation,
  forced: PayoutPlan["forced"],
  ctx: ProcessingContext,
): Processed {
  switch (request.api) {
    case "b2c":
      return b2c(request, c, forced, ctx);
    case "reversal":
      return reversal(request, c, forced, ctx);
    case "transaction_status":
      return transactionStatus(request, c, ctx);
    case "account_balance":
      return accountBalance(c, ctx);
    default: {
      const _exhaustive: never = request;
      return _exhaustive;
    }
  }
}
