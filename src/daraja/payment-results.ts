/**
 * Results of the two requests that move money out: B2C payments and Reversals, POSTed to ResultURL.
 * Parsed into facts only — what the result says, typed; whether it matches what we sent, and what a
 * code means (initiator-result-codes.ts), the caller decides. A success without its parameters still
 * parses (fields null): whether such a result can be trusted is the payout service's decision.
 */
import {
  optionalParameter,
  type ParameterValue,
  type ParsedResult,
  parseSafely,
  type ReadResult,
  type ResultHeader,
  ResultParseError,
  readResultEnvelope,
} from "./result-envelope.ts";
import {
  type AccountBalanceLine,
  accountBalanceLineOf,
  centsOf,
  completedDateTimeOf,
  type PartyName,
  partyOf,
  receiptOf,
  textOf,
  timestampOf,
  wholeKesOf,
} from "./result-values.ts";

export interface B2cResult extends ResultHeader {
  api: "b2c_payment";
  /** The payment's receipt: TransactionReceipt, or TransactionID on success. null when no money moved. */
  receipt: string | null;
  /** TransactionAmount, whole KES. */
  amount: number | null;
  /** ReceiverPartyPublicName: `"254708374149 - JOHN DOE"`. */
  recipient: PartyName | null;
  /** B2CRecipientIsRegisteredCustomer Y/N. */
  recipientRegistered: boolean | null;
  /** TransactionCompletedDateTime (`dd.MM.yyyy HH:mm:ss`, EAT). */
  completedAt: Date | null;
  /** Organisation balances after the payment, in cents (they may be negative). */
  balances: {
    utilityAccountCents: number | null;
    workingAccountCents: number | null;
    chargesPaidAccountCents: number | null;
  };
}

export interface ReversalResult extends ResultHeader {
  api: "reversal";
  /** The reversal's own receipt (TransactionID) on success; null otherwise. */
  receipt: string | null;
  /** The receipt that was reversed. */
  originalTransactionId: string | null;
  amount: number | null;
  chargeCents: number | null;
  /** TransCompletedTime (`YYYYMMDDHHmmss`, EAT). */
  completedAt: Date | null;
  /** Who got the money back (`"254708374149 - JOHN DOE"`). */
  creditParty: PartyName | null;
  debitParty: PartyName | null;
  /** `Utility Account|KES|…` after the reversal. */
  debitAccountBalance: AccountBalanceLine | null;
}

const yesNo = (value: ParameterValue, where: string): boolean => {
  const text = textOf(value, where).toUpperCase();
  if (text === "Y") return true;
  if (text === "N") return false;
  throw new ResultParseError(where, "must be Y or N");
};

/** The result's receipt and its TransactionID must name the same transaction. */
function successReceipt(read: ReadResult, parameterReceipt: string | null): string | null {
  const { header } = read;
  if (parameterReceipt !== null && header.transactionId !== null && parameterReceipt !== header.transactionId)
    throw new ResultParseError("Result.TransactionID", "differs from the receipt in ResultParameters");
  return parameterReceipt ?? (header.resultCode === "0" ? header.transactionId : null);
}

/** Parses a B2C result (JSON text, Buffer or parsed value). Never throws. */
export function parseB2cResult(body: unknown): ParsedResult<B2cResult> {
  return parseSafely(() => {
    const read = readResultEnvelope(body);
    return {
      api: "b2c_payment",
      ...read.header,
      receipt: successReceipt(read, optionalParameter(read, "TransactionReceipt", receiptOf)),
      amount: optionalParameter(read, "TransactionAmount", wholeKesOf),
      recipient: optionalParameter(read, "ReceiverPartyPublicName", partyOf),
      recipientRegistered: optionalParameter(read, "B2CRecipientIsRegisteredCustomer", yesNo),
      completedAt: optionalParameter(read, "TransactionCompletedDateTime", completedDateTimeOf),
      balances: {
        utilityAccountCents: optionalParameter(read, "B2CUtilityAccountAvailableFunds", centsOf),
        workingAccountCents: optionalParameter(read, "B2CWorkingAccountAvailableFunds", centsOf),
        chargesPaidAccountCents: optionalParameter(read, "B2CChargesPaidAccountAvailableFunds", centsOf),
      },
    };
  });
}

/** Parses a Reversal result. Never throws. */
export function parseReversalResult(body: unknown): ParsedResult<ReversalResult> {
  return parseSafely(() => {
    const read = readResultEnvelope(body);
    const original = optionalParameter(read, "OriginalTransactionID", receiptOf);
    return {
      api: "reversal",
      ...read.header,
      receipt: read.header.resultCode === "0" ? read.header.transactionId : null,
      originalTransactionId: original,
      amount: optionalParameter(read, "Amount", wholeKesOf),
      chargeCents: optionalParameter(read, "Charge", centsOf),
      completedAt: optionalParameter(read, "TransCompletedTime", timestampOf),
      creditParty: optionalParameter(read, "CreditPartyPublicName", partyOf),
      debitParty: optionalParameter(read, "DebitPartyPublicName", partyOf),
      debitAccountBalance: optionalParameter(read, "DebitAccountBalance", (v, where) =>
        accountBalanceLineOf(textOf(v, where), where),
      ),
    };
  });
}
