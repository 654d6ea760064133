/**
 * Results of the two queries: Transaction Status (what became of a transaction, found by receipt or
 * OriginatorConversationID) and Account Balance (the organisation's accounts). Facts only, typed.
 */
import {
  optionalParameter,
  type ParameterValue,
  type ParsedResult,
  parseSafely,
  type ResultHeader,
  readResultEnvelope,
} from "./result-envelope.ts";
import {
  type AccountBalanceLine,
  accountBalancesOf,
  type PartyName,
  partyOf,
  receiptOf,
  textOf,
  timestampOf,
  wholeKesOf,
} from "./result-values.ts";

/** The transaction a status query found (its ResultParameters). */
export interface QueriedTransaction {
  /** ReceiptNo. */
  receipt: string | null;
  /** TransactionStatus: `"Completed"` for a payment that went through. */
  status: string | null;
  amount: number | null;
  /** The OriginatorConversationID / ConversationID of the request that made the transaction. */
  originatorConversationId: string | null;
  conversationId: string | null;
  /** DebitPartyName, which may appear more than once. */
  debitParties: PartyName[];
  creditParty: PartyName | null;
  debitAccountType: string | null;
  /** e.g. `"Fee For B2C Payment|KES|22.40"`, as received. */
  debitPartyCharges: string | null;
  reasonType: string | null;
  transactionReason: string | null;
  initiatedAt: Date | null;
  finalisedAt: Date | null;
}

export interface TransactionStatusResult extends ResultHeader {
  api: "transaction_status";
  /** The Occasion echoed in ReferenceData. */
  occasion: string | null;
  /** null when the result carries no parameters (a failure). */
  transaction: QueriedTransaction | null;
}

export interface AccountBalanceResult extends ResultHeader {
  api: "account_balance";
  accounts: AccountBalanceLine[] | null;
  /** BOCompletedTime. */
  completedAt: Date | null;
}

const plain = (value: ParameterValue, where: string) => textOf(value, where) || null;

export function parseTransactionStatusResult(body: unknown): ParsedResult<TransactionStatusResult> {
  return parseSafely(() => {
    const read = readResultEnvelope(body);
    const transaction: QueriedTransaction | null =
      read.params.size === 0
        ? null
        : {
            receipt: optionalParameter(read, "ReceiptNo", receiptOf),
            status: optionalParameter(read, "TransactionStatus", plain),
            amount: optionalParameter(read, "Amount", wholeKesOf),
            originatorConversationId: optionalParameter(read, "OriginatorConversationID", plain),
            conversationId: optionalParameter(read, "ConversationID", plain),
            debitParties: read.params
              .all("DebitPartyName")
              .filter((v) => v !== null)
              .map((v, i) => partyOf(v, `Result.ResultParameters.DebitPartyName[${i}]`)),
            creditParty: optionalParameter(read, "CreditPartyName", partyOf),
            debitAccountType: optionalParameter(read, "DebitAccountType", plain),
            debitPartyCharges: optionalParameter(read, "DebitPartyCharges", plain),
            reasonType: optionalParameter(read, "ReasonType", plain),
            transactionReason: optionalParameter(read, "TransactionReason", plain),
            initiatedAt: optionalParameter(read, "InitiatedTime", timestampOf),
            finalisedAt: optionalParameter(read, "FinalisedTime", timestampOf),
          };
    return {
      api: "transaction_status",
      ...read.header,
      occasion: read.header.referenceData.Occasion ?? null,
      transaction,
    };
  });
}

export function parseAccountBalanceResult(body: unknown): ParsedResult<AccountBalanceResult> {
  return parseSafely(() => {
    const read = readResultEnvelope(body);
    return {
      api: "account_balance",
      ...read.header,
      accounts: optionalParameter(read, "AccountBalance", accountBalancesOf),
      completedAt: optionalParameter(read, "BOCompletedTime", timestampOf),
    };
  });
}

/** The account called `name` (`"Utility Account"`), if the result lists it. */
export function accountNamed(
  accounts: readonly AccountBalanceLine[] | null,
  name: string,
): AccountBalanceLine | undefined {
  return accounts?.find((a) => a.name.toLowerCase() === name.toLowerCase());
}
