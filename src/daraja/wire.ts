/**
 * Daraja's wire formats, exactly as Safaricom sends and accepts them (see the Daraja reference).
 * Shared by the client (which sends requests and parses responses) and the emulator (which does the
 * opposite). Loose where Daraja is loose: numbers may arrive as numeric strings.
 */

/** `GET /oauth/v1/generate?grant_type=client_credentials`. `expires_in` is "3599" on the wire, 3599 in the v3 docs. */
export interface OAuthTokenResponse {
  access_token: string;
  expires_in: string | number;
}

/** The error envelope of every business API; HTTP status normally mirrors the code's first three digits. */
export interface DarajaErrorEnvelope {
  requestId: string;
  errorCode: string;
  errorMessage: string;
}

export type TransactionType = "CustomerPayBillOnline" | "CustomerBuyGoodsOnline";

/** `POST /mpesa/stkpush/v1/processrequest` body. */
export interface StkPushRequestBody {
  BusinessShortCode: string | number;
  Password: string;
  Timestamp: string;
  TransactionType: TransactionType;
  Amount: string | number;
  PartyA: string | number;
  PartyB: string | number;
  PhoneNumber: string | number;
  CallBackURL: string;
  AccountReference: string;
  TransactionDesc: string;
}

/** Synchronous acceptance of a push: NOT a payment. ResponseCode is the string "0". */
export interface StkPushResponseBody {
  MerchantRequestID: string;
  CheckoutRequestID: string;
  ResponseCode: string;
  ResponseDescription: string;
  CustomerMessage?: string;
}

/** `POST /mpesa/stkpushquery/v1/query` body. */
export interface StkQueryRequestBody {
  BusinessShortCode: string | number;
  Password: string;
  Timestamp: string;
  CheckoutRequestID: string;
}

/** Query answer; ResultCode is a string here ("0", "1032", "4999"). */
export interface StkQueryResponseBody {
  ResponseCode: string;
  ResponseDescription: string;
  MerchantRequestID: string;
  CheckoutRequestID: string;
  ResultCode: string;
  ResultDesc: string;
}

export interface StkCallbackItem {
  Name: string;
  Value?: string | number;
}

/** The callback POSTed to CallBackURL. CallbackMetadata only on ResultCode 0. */
export interface StkCallbackEnvelope {
  Body: {
    stkCallback: {
      MerchantRequestID: string;
      CheckoutRequestID: string;
      ResultCode: number | string;
      ResultDesc: string;
      CallbackMetadata?: { Item: StkCallbackItem[] };
    };
  };
}
