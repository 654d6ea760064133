/**
 * Schemas of the B2C, Reversal, Transaction Status and Account Balance routes (documentation
 * only: Daraja's own validation is in initiator-validation.ts) and of their control-API views.
 */
import { Type } from "@fastify/type-provider-typebox";
import { B2C_COMMAND_IDS } from "../daraja/b2c-request.ts";
import { PAYOUT_OUTCOMES } from "./payout-outcomes.ts";

const Numeric = Type.Union([Type.String(), Type.Number()]);
const Url = (description: string) => Type.String({ description: `${description}; called exactly as given` });
const credential = Type.String({
  description:
    "base64(RSA PKCS#1 v1.5(initiator password)) with the certificate at GET /__emulator/certificate",
});

const b2cFields = {
  InitiatorName: Type.String({ example: "testapi" }),
  SecurityCredential: credential,
  CommandID: Type.Union(B2C_COMMAND_IDS.map((c) => Type.Literal(c))),
  Amount: Numeric,
  PartyA: Numeric,
  PartyB: Numeric,
  Remarks: Type.String({ minLength: 2, maxLength: 100 }),
  QueueTimeOutURL: Url("where a queue-timeout notice goes"),
  ResultURL: Url("where the result goes"),
  Occassion: Type.Optional(Type.String({ description: "sic (v3 docs); Occasion also accepted" })),
};

export const B2cV3Body = Type.Object({
  OriginatorConversationID: Type.String({
    description: "your unique id; a second request with it is refused",
  }),
  ...b2cFields,
});
export const B2cV1Body = Type.Object(b2cFields);

export const ReversalBody = Type.Object({
  Initiator: Type.String(),
  SecurityCredential: credential,
  CommandID: Type.Literal("TransactionReversal"),
  TransactionID: Type.String({ description: "the receipt of the payment to reverse" }),
  Amount: Numeric,
  ReceiverParty: Numeric,
  RecieverIdentifierType: Type.Union([Type.Literal("11"), Type.Literal("4"), Type.Number()], {
    description: "sic: the correct spelling is refused (400.002.02 Invalid RecieverIdentifierType)",
  }),
  ResultURL: Url("where the result goes"),
  QueueTimeOutURL: Url("where a queue-timeout notice goes"),
  Remarks: Type.String(),
  Occasion: Type.Optional(Type.String()),
});

export const TransactionStatusBody = Type.Object({
  Initiator: Type.String(),
  SecurityCredential: credential,
  CommandID: Type.Literal("TransactionStatusQuery"),
  TransactionID: Type.Optional(Type.String({ description: "a receipt; or give OriginalConversationID" })),
  OriginalConversationID: Type.Optional(Type.String()),
  PartyA: Numeric,
  IdentifierType: Numeric,
  ResultURL: Url("where the result goes"),
  QueueTimeOutURL: Url("where a queue-timeout notice goes"),
  Remarks: Type.String(),
  Occasion: Type.Optional(Type.String()),
});

export const AccountBalanceBody = Type.Object({
  Initiator: Type.String(),
  SecurityCredential: credential,
  CommandID: Type.Literal("AccountBalance"),
  PartyA: Numeric,
  IdentifierType: Numeric,
  Remarks: Type.String(),
  QueueTimeOutURL: Url("where a queue-timeout notice goes"),
  ResultURL: Url("where the result goes"),
});

export const InitiatorAccepted = Type.Object(
  {
    ConversationID: Type.String({ example: "AG_20260115_2010364430d9bbdaf872" }),
    OriginatorConversationID: Type.String(),
    ResponseCode: Type.Literal("0"),
    ResponseDescription: Type.Literal("Accept the service request successfully."),
  },
  { description: 'Accepted — not a result: that is POSTed to ResultURL later as {"Result":{…}}' },
);

export const PayoutOutcomeName = Type.Union(PAYOUT_OUTCOMES.map((o) => Type.Literal(o)));
export const PayoutOutcomeBody = Type.Object({ outcome: PayoutOutcomeName });

export const ApiName = Type.Union(
  ["b2c", "reversal", "transaction_status", "account_balance"].map((a) => Type.Literal(a)),
);

export const Conversation = Type.Object(
  {
    conversationId: Type.String(),
    originatorConversationId: Type.String(),
    api: ApiName,
    path: Type.String(),
    shortcode: Type.String(),
    initiatorName: Type.String(),
    credentialValid: Type.Boolean(),
    resultUrl: Type.String(),
    queueTimeoutUrl: Type.String(),
    msisdn: Type.Union([Type.String(), Type.Null()]),
    amount: Type.Union([Type.Integer(), Type.Null()]),
    outcome: Type.Union([PayoutOutcomeName, Type.Null()]),
    responseLost: Type.Boolean(),
    status: Type.Union(["pending", "completed", "timed_out"].map((s) => Type.Literal(s))),
    createdAt: Type.String({ format: "date-time" }),
    completedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    result: Type.Union([
      Type.Object({ resultCode: Numeric, resultDesc: Type.String(), transactionId: Type.String() }),
      Type.Null(),
    ]),
    request: Type.Unknown({ description: "the request body, SecurityCredential left out" }),
  },
  { description: "One accepted B2C, reversal, status or balance request and its result" },
);

export const ResultDelivery = Type.Object(
  {
    id: Type.String(),
    conversationId: Type.String(),
    originatorConversationId: Type.String(),
    api: ApiName,
    target: Type.Union([Type.Literal("result"), Type.Literal("timeout")]),
    url: Type.String(),
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
    payload: Type.Unknown({ description: 'the {"Result":{…}} body as sent' }),
  },
  { description: "One result or queue-timeout POST (or one suppressed) and the receiver's answer" },
);

export const Transaction = Type.Object(
  {
    receipt: Type.String(),
    kind: Type.Union(["stk_payment", "b2c_payment", "reversal"].map((k) => Type.Literal(k))),
    shortcode: Type.String(),
    msisdn: Type.String(),
    amount: Type.Integer(),
    chargeKes: Type.Number(),
    completedAt: Type.String({ format: "date-time" }),
    originatorConversationId: Type.Union([Type.String(), Type.Null()]),
    originalReceipt: Type.Union([Type.String(), Type.Null()]),
    reversedBy: Type.Union([Type.String(), Type.Null()]),
  },
  { description: "An M-Pesa transaction the emulator made", additionalProperties: true },
);

export const Accounts = Type.Object({
  shortcode: Type.String(),
  workingCents: Type.Integer(),
  utilityCents: Type.Integer(),
  chargesPaidCents: Type.Integer(),
});

export const AccountsBody = Type.Object({
  workingKes: Type.Optional(Type.Number({ minimum: 0 })),
  utilityKes: Type.Optional(Type.Number({ minimum: 0 })),
  chargesPaidKes: Type.Optional(Type.Number({ maximum: 0 })),
});
