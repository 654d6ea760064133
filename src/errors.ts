/**
 * Errors with a stable code, raised by services and turned into the API's error envelope by the HTTP
 * layer. Codes are part of the public contract: add, never rename.
 */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_PHONE: 400,
  AMOUNT_MISMATCH: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BOOKING_NOT_FOUND: 404,
  TRANSACTION_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  ALREADY_PAID: 409,
  PAYMENT_IN_PROGRESS: 409,
  BOOKING_NOT_PAYABLE: 409,
  BOOKING_NOT_AVAILABLE: 409,
  BOOKING_NOT_COMPLETABLE: 409,
  BOOKING_NOT_CANCELLABLE: 409,
  TECHNICIAN_PHONE_REQUIRED: 409,
  TECHNICIAN_NOT_FOUND: 404,
  PAYOUT_NOT_FOUND: 404,
  REFUND_NOT_FOUND: 404,
  PAYOUT_NOT_APPROVABLE: 409,
  WEBHOOK_ENDPOINT_NOT_FOUND: 404,
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  WEBHOOK_URL_NOT_ALLOWED: 400,
  WEBHOOK_ENDPOINT_DISABLED: 409,
  PAYOUT_NOT_RETRYABLE: 409,
  PAYOUT_NOT_RESOLVABLE: 409,
  REFUND_NOT_RETRYABLE: 409,
  REFUND_NOT_RESOLVABLE: 409,
  TRANSACTION_NOT_RESOLVABLE: 409,
  IDEMPOTENCY_CONFLICT: 422,
  CALLBACK_REJECTED: 403,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  MPESA_REJECTED: 502,
  MPESA_UNAVAILABLE: 503,
  MPESA_BUSY: 503,
  MPESA_OUTCOME_UNKNOWN: 504,
  NOT_READY: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}
