/**
 * The `{"Result":{…}}` bodies the emulator POSTs, shaped like the captured ones (fixtures): the B2C
 * parameter order of production 2023, balances printed with two decimals (`0.00`), slashes escaped
 * (`https:\/\/…`) as Safaricom's encoder writes them, Transaction Status keys in the docs' odd order.
 */
import { toDarajaTimestamp } from "../daraja/timestamp.ts";
import { type AccountBalances, accountBalanceString, formatCents, utilityAccountLine } from "./accounts.ts";
import type { Conversation, ConversationResult } from "./conversations.ts";
import type { MpesaTransaction } from "./transactions.ts";

/** Result texts as Daraja words them (map on the code, never on these). */
export const RESULT_TEXT = {
  success: "The service request is processed successfully.",
  insufficientFunds: "The balance is insufficient for the transaction.",
  initiatorInvalid: "The initiator information is invalid.",
  unregistered:
    "Credit Party customer type (Unregistered or Registered Customer) can't be supported by the service .",
  belowMinimum: "Declined due to limit rule: less than the minimum transaction amount.",
  alreadyReversed: "The transaction has already been reversed.",
  originalInvalid: "The OriginalTransactionID is invalid.",
  notFound: "The transaction receipt number does not exist.",
  timedOut: "The service request has timed out.",
} as const;

/** The code a queue-timeout notice carries (its shape is not documented; see docs/emulator.md). */
export const QUEUE_TIMEOUT_CODE = 1037;

/** A number Daraja prints with two decimals. */
class Decimal {
  readonly cents: number;
  constructor(cents: number) {
    this.cents = cents;
  }
}
const kes = (amount: number) => new Decimal(Math.round(amount * 100));

type Item = { Key: string; Value?: unknown };
export type ResultPayload = { Result: Record<string, unknown> };

const REFERENCE_URLS = {
  b2c: "https://internalsandbox.safaricom.co.ke/mpesa/b2cresults/v1/submit",
  reversal: "https://internalsandbox.safaricom.co.ke/mpesa/reversalresults/v1/submit",
  transaction_status: "https://internalsandbox.safaricom.co.ke/mpesa/tsresults/v1/submit",
  account_balance: "https://internalsandbox.safaricom.co.ke/mpesa/abresults/v1/submit",
} as const;

/** The JSON text as Safaricom writes it: two-decimal balances, escaped slashes. */
export function writeResultJson(payload: ResultPayload): string {
  return JSON.stringify(payload, (_key, value: unknown) =>
    value instanceof Decimal ? `\u0000${formatCents(value.cents)}\u0000` : value,
  )
    .replace(/"\\u0000(-?\d+\.\d{2})\\u0000"/g, "$1")
    .replace(/\//g, "\\/");
}

/** `dd.MM.yyyy HH:mm:ss` in East Africa Time. */
function completedDateTime(instant: Date): string {
  const t = toDarajaTimestamp(instant);
  return `${t.slice(6, 8)}.${t.slice(4, 6)}.${t.slice(0, 4)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}

function referenceData(c: Conversation, occasion: string | null): Record<string, unknown> {
  if (c.api === "transaction_status")
    return { ReferenceItem: occasion === null ? { Key: "Occasion" } : { Key: "Occasion", Value: occasion } };
  return { ReferenceItem: { Key: "QueueTimeoutURL", Value: REFERENCE_URLS[c.api] } };
}

function envelope(
  c: Conversation,
  r: ConversationResult,
  parameters: Item[] | null,
  occasion: string | null,
) {
  return {
    Result: {
      ResultType: 0,
      ResultCode: r.resultCode,
      ResultDesc: r.resultDesc,
      OriginatorConversationID: c.originatorConversationId,
      ConversationID: c.conversationId,
      TransactionID: r.transactionId,
      ...(parameters === null ? {} : { ResultParameters: { ResultParameter: parameters } }),
      ReferenceData: referenceData(c, occasion),
    },
  };
}

/** A result without parameters: every failure, and a queue-timeout notice. */
export function failureResult(
  c: Conversation,
  r: ConversationResult,
  occasion: string | null = null,
): ResultPayload {
  if (c.api === "transaction_status") return statusOrder(envelope(c, r, null, occasion));
  return envelope(c, r, null, occasion);
}

export function b2cSuccessResult(
  c: Conversation,
  r: ConversationResult,
  t: MpesaTransaction,
  balances: AccountBalances,
): ResultPayload {
  return envelope(
    c,
    r,
    [
      { Key: "ReceiverPartyPublicName", Value: `${t.msisdn} - ${t.customerName}` },
      { Key: "TransactionCompletedDateTime", Value: completedDateTime(t.completedAt) },
      { Key: "B2CUtilityAccountAvailableFunds", Value: new Decimal(balances.utilityCents) },
      { Key: "B2CWorkingAccountAvailableFunds", Value: new Decimal(balances.workingCents) },
      { Key: "B2CRecipientIsRegisteredCustomer", Value: "Y" },
      { Key: "B2CChargesPaidAccountAvailableFunds", Value: new Decimal(balances.chargesPaidCents) },
      { Key: "TransactionAmount", Value: t.amount },
      { Key: "TransactionReceipt", Value: t.receipt },
    ],
    null,
  );
}

export function reversalSuccessResult(
  c: Conversation,
  r: ConversationResult,
  t: MpesaTransaction,
  balances: AccountBalances,
): ResultPayload {
  return envelope(
    c,
    r,
    [
      { Key: "DebitAccountBalance", Value: utilityAccountLine(balances) },
      { Key: "Amount", Value: kes(t.amount) },
      { Key: "TransCompletedTime", Value: Number(toDarajaTimestamp(t.completedAt)) },
      { Key: "OriginalTransactionID", Value: t.originalReceipt },
      { Key: "Charge", Value: kes(t.chargeKes) },
      { Key: "CreditPartyPublicName", Value: `${t.msisdn} - ${t.customerName}` },
      { Key: "DebitPartyPublicName", Value: `${t.shortcode} - ${t.organisationName}` },
    ],
    null,
  );
}

const REASON_TYPES: Record<string, string> = {
  BusinessPayment: "Business Payment to Customer via API",
  SalaryPayment: "Salary Payment to Customer via API",
  PromotionPayment: "Promotion Payment to Customer via API",
  TransactionReversal: "Reversal",
  CustomerPayBillOnline: "Pay Bill Online",
  CustomerBuyGoodsOnline: "Buy Goods Online",
};

/** The docs' key order: ConversationID, OriginatorConversationID, ReferenceData, ResultCode, …, TransactionID. */
function statusOrder(payload: ResultPayload): ResultPayload {
  const r = payload.Result;
  const ordered: Record<string, unknown> = {
    ConversationID: r.ConversationID,
    OriginatorConversationID: r.OriginatorConversationID,
    ReferenceData: r.ReferenceData,
    ResultCode: r.ResultCode,
    ResultDesc: r.ResultDesc,
  };
  if (r.ResultParameters !== undefined) ordered.ResultParameters = r.ResultParameters;
  ordered.ResultType = r.ResultType;
  ordered.TransactionID = r.TransactionID;
  return { Result: ordered };
}

export function transactionStatusResult(
  c: Conversation,
  r: ConversationResult,
  t: MpesaTransaction,
  occasion: string | null,
): ResultPayload {
  const organisation = `${t.shortcode} - ${t.organisationName}`;
  const customer = `${t.msisdn} - ${t.customerName}`;
  const customerPaid = t.kind === "stk_payment";
  const parameters: Item[] = [
    { Key: "DebitPartyName", Value: customerPaid ? customer : organisation },
    { Key: "CreditPartyName", Value: customerPaid ? organisation : customer },
    ...(t.originatorConversationId === null
      ? []
      : [{ Key: "OriginatorConversationID", Value: t.originatorConversationId }]),
    { Key: "InitiatedTime", Value: toDarajaTimestamp(t.initiatedAt) },
    ...(customerPaid ? [] : [{ Key: "DebitAccountType", Value: "Utility Account" }]),
    ...(t.chargeKes > 0
      ? [{ Key: "DebitPartyCharges", Value: `Fee For B2C Payment|KES|${formatCents(t.chargeKes * 100)}` }]
      : []),
    { Key: "TransactionReason" },
    { Key: "ReasonType", Value: REASON_TYPES[t.commandId] ?? t.commandId },
    { Key: "TransactionStatus", Value: t.reversedBy === null ? "Completed" : "Reversed" },
    { Key: "FinalisedTime", Value: toDarajaTimestamp(t.completedAt) },
    { Key: "Amount", Value: String(t.amount) },
    ...(t.conversationId === null ? [] : [{ Key: "ConversationID", Value: t.conversationId }]),
    { Key: "ReceiptNo", Value: t.receipt },
  ];
  return statusOrder(envelope(c, r, parameters, occasion));
}

export function accountBalanceResult(
  c: Conversation,
  r: ConversationResult,
  balances: AccountBalances,
  completedAt: Date,
): ResultPayload {
  return envelope(
    c,
    r,
    [
      { Key: "ActionType", Value: "AccountBalance" },
      { Key: "AccountBalance", Value: accountBalanceString(balances) },
      { Key: "BOCompletedTime", Value: Number(toDarajaTimestamp(completedAt)) },
    ],
    null,
  );
}
