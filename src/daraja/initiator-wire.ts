/**
 * Wire formats of the "initiator" APIs — B2C, Reversal, Transaction Status, Account Balance — exactly
 * as Safaricom accepts and sends them (reference §9–11, §13). They share one pattern: an initiator
 * name and SecurityCredential, a synchronous acceptance, then a `{"Result":{…}}` POSTed later to
 * ResultURL (or a notice to QueueTimeOutURL). Shared by the client and the emulator.
 */

export type B2cCommandId = "BusinessPayment" | "SalaryPayment" | "PromotionPayment";

/** `POST /mpesa/b2c/v3/paymentrequest` (v1: the same without OriginatorConversationID). */
export interface B2cRequestBody {
  OriginatorConversationID?: string;
  InitiatorName: string;
  SecurityCredential: string;
  CommandID: B2cCommandId;
  Amount: string | number;
  PartyA: string | number;
  PartyB: string | number;
  Remarks: string;
  QueueTimeOutURL: string;
  ResultURL: string;
  /** Sic: the v3 docs spell it `Occassion`; v1 SDKs send `Occasion`. Optional either way. */
  Occassion?: string;
}

/**
 * `POST /mpesa/reversal/v1/request`. `RecieverIdentifierType` is Safaricom's spelling: the correct
 * spelling is refused with `400.002.02 Bad Request - Invalid RecieverIdentifierType`.
 */
export interface ReversalRequestBody {
  Initiator: string;
  SecurityCredential: string;
  CommandID: "TransactionReversal";
  TransactionID: string;
  Amount: string | number;
  ReceiverParty: string | number;
  RecieverIdentifierType: string | number;
  ResultURL: string;
  QueueTimeOutURL: string;
  Remarks: string;
  Occasion?: string;
}

/** Who PartyA is: "1" an MSISDN, "2" a till, "4" a shortcode. */
export type IdentifierType = "1" | "2" | "4";

/** `POST /mpesa/transactionstatus/v1/query`: by receipt (TransactionID) and/or OriginalConversationID. */
export interface TransactionStatusRequestBody {
  Initiator: string;
  SecurityCredential: string;
  CommandID: "TransactionStatusQuery";
  TransactionID?: string;
  OriginalConversationID?: string;
  PartyA: string | number;
  IdentifierType: IdentifierType | number;
  ResultURL: string;
  QueueTimeOutURL: string;
  Remarks: string;
  Occasion?: string;
}

/** `POST /mpesa/accountbalance/v1/query`. */
export interface AccountBalanceRequestBody {
  Initiator: string;
  SecurityCredential: string;
  CommandID: "AccountBalance";
  PartyA: string | number;
  IdentifierType: IdentifierType | number;
  Remarks: string;
  QueueTimeOutURL: string;
  ResultURL: string;
}

/**
 * The synchronous acceptance of all four (HTTP 200): NOT a result. ResponseCode is the string "0".
 * Key order varies: B2C answers ConversationID first, the others OriginatorConversationID first.
 */
export interface InitiatorAcceptedBody {
  ConversationID: string;
  OriginatorConversationID: string;
  ResponseCode: string;
  ResponseDescription: string;
}

export interface ResultParameterItem {
  Key: string;
  /** Numbers or strings; sometimes absent (`TransactionReason`). */
  Value?: string | number;
}

export interface ReferenceItem {
  Key: string;
  Value?: string;
}

/** The body POSTed to ResultURL and QueueTimeOutURL. */
export interface ResultEnvelope {
  Result: {
    ResultType: number | string;
    /** A number (`0`, `2001`) or a string (`"R000002"`, and everything in the v3 account-balance docs). */
    ResultCode: number | string;
    ResultDesc: string;
    OriginatorConversationID: string;
    ConversationID: string;
    TransactionID: string;
    /** Only on success, mostly; an ARRAY of items, or (seen once in production) a single object. */
    ResultParameters?: { ResultParameter: ResultParameterItem[] | ResultParameterItem };
    ReferenceData?: { ReferenceItem: ReferenceItem | ReferenceItem[] };
  };
}
