/**
 * Schemas of the emulator's routes. The control API validates with them; the Daraja routes use
 * them for the OpenAPI document only (Daraja's own validation and error codes are in
 * validation.ts, and responses are written byte for byte by the routes).
 */
import { type TSchema, Type } from "@fastify/type-provider-typebox";

/**
 * Response schemas for the OpenAPI document only: typed as plain objects so the type provider does
 * not hold handlers to them (handlers return Dates, serialised as ISO strings by JSON.stringify).
 */
export function documented(responses: Record<number, TSchema>): Record<number, unknown> {
  return responses;
}

import { RESOLVE_ACTIONS } from "./control.ts";
import { FAULT_KINDS } from "./faults.ts";
import { OUTCOMES } from "./outcomes.ts";

const Numeric = Type.Union([Type.String(), Type.Number()]);

export const DarajaError = Type.Object(
  { requestId: Type.String(), errorCode: Type.String(), errorMessage: Type.String() },
  { description: "Daraja's error envelope; the HTTP status is the errorCode's first three digits" },
);

export const StkPushBody = Type.Object({
  BusinessShortCode: Numeric,
  Password: Type.String({ description: "base64(BusinessShortCode + Passkey + Timestamp)" }),
  Timestamp: Type.String({ description: "YYYYMMDDHHmmss (East Africa Time)" }),
  TransactionType: Type.Union([
    Type.Literal("CustomerPayBillOnline"),
    Type.Literal("CustomerBuyGoodsOnline"),
  ]),
  Amount: Numeric,
  PartyA: Numeric,
  PartyB: Numeric,
  PhoneNumber: Numeric,
  CallBackURL: Type.String(),
  AccountReference: Type.String(),
  TransactionDesc: Type.String(),
});

export const StkPushAccepted = Type.Object({
  MerchantRequestID: Type.String(),
  CheckoutRequestID: Type.String(),
  ResponseCode: Type.Literal("0"),
  ResponseDescription: Type.String(),
  CustomerMessage: Type.String(),
});

export const StkQueryBody = Type.Object({
  BusinessShortCode: Numeric,
  Password: Type.String(),
  Timestamp: Type.String(),
  CheckoutRequestID: Type.String(),
});

export const StkQueryAnswer = Type.Union([
  Type.Object({
    ResponseCode: Type.String(),
    ResponseDescription: Type.String(),
    MerchantRequestID: Type.String(),
    CheckoutRequestID: Type.String(),
    ResultCode: Type.String(),
    ResultDesc: Type.String(),
  }),
  Type.Object(
    { ResultCode: Type.Literal("4999"), ResultDesc: Type.String() },
    { description: "still under processing" },
  ),
]);

export const Msisdn = Type.String({
  pattern: "^254[17][0-9]{8}$",
  description: "2547XXXXXXXX or 2541XXXXXXXX",
});
export const MsisdnParams = Type.Object({ msisdn: Type.String() });
export const CheckoutParams = Type.Object({ checkoutRequestId: Type.String() });

export const OutcomeName = Type.Union(OUTCOMES.map((o) => Type.Literal(o)));

export const Session = Type.Object(
  {
    checkoutRequestId: Type.String(),
    merchantRequestId: Type.String(),
    shortcode: Type.String(),
    businessName: Type.String(),
    transactionType: Type.String(),
    amount: Type.Integer(),
    partyA: Type.String(),
    partyB: Type.String(),
    phoneNumber: Type.String(),
    callbackUrl: Type.String(),
    accountReference: Type.String(),
    transactionDesc: Type.String(),
    outcome: OutcomeName,
    callbackPlan: Type.String(),
    responseLost: Type.Boolean(),
    status: Type.Union([Type.Literal("pending"), Type.Literal("completed")]),
    createdAt: Type.String({ format: "date-time" }),
    promptExpiresAt: Type.String({ format: "date-time" }),
    completedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    resolvedBy: Type.Union([Type.String(), Type.Null()]),
    result: Type.Union([
      Type.Object({ kind: Type.String(), resultCode: Numeric, resultDesc: Type.String() }),
      Type.Null(),
    ]),
    receipt: Type.Union([
      Type.Object({ mpesaReceiptNumber: Type.String(), transactionDate: Type.String() }),
      Type.Null(),
    ]),
  },
  { description: "One accepted STK push, from prompt to result" },
);

export const Delivery = Type.Object(
  {
    id: Type.String(),
    checkoutRequestId: Type.String(),
    merchantRequestId: Type.String(),
    url: Type.String(),
    businessShortCode: Type.String(),
    copy: Type.Union([Type.Literal("first"), Type.Literal("duplicate")]),
    status: Type.Union(
      ["scheduled", "held", "in_flight", "answered", "failed", "suppressed"].map((s) => Type.Literal(s)),
    ),
    note: Type.Union([Type.String(), Type.Null()]),
    scheduledAt: Type.String({ format: "date-time" }),
    sentAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    durationMs: Type.Union([Type.Number(), Type.Null()]),
    responseStatus: Type.Union([Type.Integer(), Type.Null()]),
    responseBody: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Unknown({ description: "the callback body as sent" }),
  },
  { description: "One callback POST (or one that was suppressed) and the receiver's answer" },
);

export const RecordedRequest = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: "date-time" }),
  method: Type.String(),
  url: Type.String(),
  status: Type.Union([Type.Integer(), Type.Literal("dropped")]),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  checkoutRequestId: Type.Union([Type.String(), Type.Null()]),
  body: Type.Unknown(),
});

export const ResolveBody = Type.Object({
  action: Type.Union(RESOLVE_ACTIONS.map((a) => Type.Literal(a))),
});

export const OutcomeBody = Type.Object({ outcome: OutcomeName });

export const TokensBody = Type.Object({
  ttlSeconds: Type.Integer({
    minimum: 1,
    maximum: 86_400,
    description: "lifetime of tokens issued from now on (expires_in)",
  }),
});

export const TimeScaleBody = Type.Object({
  timeScale: Type.Number({ minimum: 0, maximum: 1000, description: "multiplies every emulator delay" }),
});

const Rate = Type.Number({ minimum: 0, maximum: 1 });
export const FaultRates = Type.Object(
  Object.fromEntries(FAULT_KINDS.map((k) => [k, Type.Optional(Rate)])) as Record<
    (typeof FAULT_KINDS)[number],
    ReturnType<typeof Type.Optional<typeof Rate>>
  >,
  { additionalProperties: false },
);

export const FaultsBody = Type.Object({
  seed: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  rates: Type.Optional(FaultRates),
  delayedCallbackMs: Type.Optional(Type.Number({ minimum: 0 })),
});

export const PinBody = Type.Object({
  checkoutRequestId: Type.Optional(Type.String()),
  pin: Type.String({ description: "four digits; 0000 is a wrong PIN" }),
});

export const CancelBody = Type.Object({ checkoutRequestId: Type.Optional(Type.String()) });

export const ControlError = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
