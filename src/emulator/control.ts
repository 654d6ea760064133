/** What the control API and the simulated phone can do to an open prompt, and how they fail. */
import type { ResultKind } from "./outcomes.ts";

/** What the control API can make the customer do with an open prompt. */
export type ResolveAction = "pay" | "cancel" | "wrong_pin" | "timeout" | "insufficient_funds" | "expired";
export const RESOLVE_ACTIONS: readonly ResolveAction[] = [
  "pay",
  "cancel",
  "wrong_pin",
  "timeout",
  "insufficient_funds",
  "expired",
];

export type PhoneAnswer = { kind: "pin"; pin: string } | { kind: "cancel" };

/** A refused control operation; routes turn it into a JSON error with this HTTP status. */
export type ControlErrorCode =
  | "SESSION_NOT_FOUND"
  | "CONVERSATION_NOT_FOUND"
  | "ORGANISATION_NOT_FOUND"
  | "SESSION_NOT_PENDING"
  | "NO_PENDING_PROMPT"
  | "INVALID_PIN"
  | "INVALID_INPUT";

export class ControlError extends Error {
  readonly status: 400 | 404 | 409;
  readonly code: ControlErrorCode;
  constructor(status: 400 | 404 | 409, code: ControlErrorCode, message: string) {
    super(message);
    this.name = "ControlError";
    this.status = status;
    this.code = code;
  }
}

/** The result a control-API action gives the session. */
export function resultOf(action: ResolveAction): ResultKind {
  switch (action) {
    case "pay":
      return "paid";
    case "cancel":
      return "cancelled";
    case "wrong_pin":
      return "wrong_pin";
    case "timeout":
      return "no_answer";
    case "insufficient_funds":
      return "insufficient_funds";
    case "expired":
      return "expired";
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}
