/**
 * B2C payment requests (technician payouts), reference §9. We send the v3 body: its
 * OriginatorConversationID is our payout id, and Daraja refuses a second request with the same id
 * (`500.002.1001 Duplicate OriginatorConversationID.`), which makes a resend after a lost answer
 * harmless. Amounts are whole KES from KES 10 (M-Pesa's B2C minimum) to 250,000.
 */

import { invalidInput } from "./errors.ts";
import {
  type InitiatorParty,
  type ResultUrls,
  validAmount,
  validateParty,
  validConversationId,
  validOccasion,
  validRemarks,
  validResultUrls,
} from "./initiator-request.ts";
import type { B2cCommandId, B2cRequestBody } from "./initiator-wire.ts";
import { type Msisdn, normalizeMsisdn } from "./phone.ts";

export const B2C_PAYMENT_PATH = "/mpesa/b2c/v3/paymentrequest";
/** The legacy path most SDKs still use (Daraja generates the OriginatorConversationID there). */
export const B2C_PAYMENT_V1_PATH = "/mpesa/b2c/v1/paymentrequest";
export const B2C_MIN_AMOUNT_KES = 10;
export const B2C_MAX_AMOUNT_KES = 250_000;
export const B2C_COMMAND_IDS: readonly B2cCommandId[] = [
  "BusinessPayment",
  "SalaryPayment",
  "PromotionPayment",
];

export interface B2cPaymentInput extends ResultUrls {
  /** Our payout id, unique per payout and reused on every resend of it. */
  originatorConversationId: string;
  /** The recipient's M-Pesa number (PartyB). */
  phoneNumber: string;
  /** Whole KES. */
  amount: number;
  /** Default BusinessPayment (registered customers only; SalaryPayment also pays unregistered ones). */
  commandId?: B2cCommandId;
  remarks: string;
  occasion?: string;
}

export interface ValidB2cPayment extends ResultUrls {
  originatorConversationId: string;
  msisdn: Msisdn;
  amount: number;
  commandId: B2cCommandId;
  remarks: string;
  occasion: string | undefined;
}

/** Throws a local `validation` DarajaError naming the Daraja field. */
export function validateB2cPaymentInput(input: B2cPaymentInput): ValidB2cPayment {
  const op = "b2c_payment";
  const originatorConversationId = validConversationId(
    op,
    "OriginatorConversationID",
    input.originatorConversationId,
  );
  const amount = validAmount(op, input.amount, B2C_MIN_AMOUNT_KES, B2C_MAX_AMOUNT_KES);
  const msisdn = normalizeMsisdn(input.phoneNumber);
  if (msisdn === null) throw invalidInput(op, "PartyB", "is not a Kenyan mobile number");
  const commandId = input.commandId ?? "BusinessPayment";
  if (!B2C_COMMAND_IDS.includes(commandId))
    throw invalidInput(op, "CommandID", `must be one of ${B2C_COMMAND_IDS.join(", ")}`);
  return {
    originatorConversationId,
    msisdn,
    amount,
    commandId,
    remarks: validRemarks(op, input.remarks),
    occasion: validOccasion(input.occasion),
    ...validResultUrls(op, input),
  };
}

/** The v3 body, fields in the documented order. */
export function buildB2cPaymentBody(party: InitiatorParty, payment: ValidB2cPayment): B2cRequestBody {
  validateParty("b2c_payment", party);
  const body: B2cRequestBody = {
    OriginatorConversationID: payment.originatorConversationId,
    InitiatorName: party.initiatorName,
    SecurityCredential: party.securityCredential.reveal(),
    CommandID: payment.commandId,
    Amount: payment.amount,
    PartyA: party.shortcode,
    PartyB: payment.msisdn,
    Remarks: payment.remarks,
    QueueTimeOutURL: payment.queueTimeoutUrl,
    ResultURL: payment.resultUrl,
  };
  if (payment.occasion !== undefined) body.Occassion = payment.occasion;
  return body;
}
