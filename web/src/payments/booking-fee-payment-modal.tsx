/**
 * BookingFeePaymentModal: pay a booking fee by M-Pesa STK Push. The customer types their number
 * (checked before sending), presses Pay once, answers the prompt on their phone and watches the
 * status change live; a failure says why in plain words and offers a fresh attempt.
 */
import { type FormEvent, useEffect, useReducer, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { sendStkPush } from "../api/endpoints.ts";
import type { Booking, Transaction } from "../api/types.ts";
import { useAppConfig } from "../app-config.ts";
import { Field, FormError } from "../components/field.tsx";
import { Modal } from "../components/modal.tsx";
import { useToast } from "../components/toast.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { emulatorPhoneUrl } from "../lib/emulator-link.ts";
import { formatKes, formatMsisdn } from "../lib/format.ts";
import { checkPhone } from "../lib/phone.ts";
import { newUuid } from "../lib/uuid.ts";
import { describePaymentRefusal } from "../lib/words.ts";
import {
  INITIAL_STEP,
  idempotencyKeyFor,
  type PaymentStep,
  paymentReducer,
  type UnansweredRequest,
  WATCH_LIMIT_MS,
} from "./payment-flow.ts";
import { watchTransaction } from "./watch-transaction.ts";

/** Past the close watch, keep asking now and then while the modal stays open. */
const SLOW_POLL_MS = 10_000;
/** A push that has not been answered in this long is treated as unanswered (re-sent with its key). */
const SEND_TIMEOUT_MS = 45_000;

export interface BookingFeePaymentModalProps {
  booking: Pick<Booking, "id" | "bookingFee">;
  defaultPhone?: string | null;
  onClose: () => void;
  /** Called on every change the booking page should reflect (a new attempt, a settled one). */
  onChange: () => void;
}

export function BookingFeePaymentModal({
  booking,
  defaultPhone,
  onClose,
  onChange,
}: BookingFeePaymentModalProps) {
  const [state, dispatch] = useReducer(paymentReducer, INITIAL_STEP);
  const [phone, setPhone] = useState(defaultPhone ? formatMsisdn(defaultPhone) : "");
  const [phoneProblem, setPhoneProblem] = useState<string | null>(null);
  const [msisdn, setMsisdn] = useState<string | null>(null);
  const unanswered = useRef<UnansweredRequest | null>(null);
  const inFlight = useRef(false);
  const bodyRef = useRef<HTMLDivElement>(null);
  const toast = useToast();
  const config = useAppConfig();
  const changed = useRef(onChange);
  changed.current = onChange;

  const amount = booking.bookingFee.amount;
  const watching = state.step === "waiting" || state.step === "unheard" ? state : null;
  const watchedId = watching?.transactionId ?? null;
  const closeWatch = state.step === "waiting";

  // Follow the attempt: live stream (or 3 s polls) for the first minute, then a slow poll.
  useEffect(() => {
    if (!watchedId) return;
    const stop = watchTransaction(watchedId, {
      onUpdate: (transaction) => dispatch({ type: "update", transaction }),
      ...(closeWatch ? {} : { pollIntervalMs: SLOW_POLL_MS }),
    });
    const limit = closeWatch ? setTimeout(() => dispatch({ type: "timeout" }), WATCH_LIMIT_MS) : undefined;
    return () => {
      stop();
      clearTimeout(limit);
    };
  }, [watchedId, closeWatch]);

  // Tell the customer (toast) and the booking page once per outcome.
  const lastStep = useRef<PaymentStep["step"]>(state.step);
  useEffect(() => {
    if (lastStep.current === state.step) return;
    const from = lastStep.current;
    lastStep.current = state.step;
    // Each new step puts focus on its main element, except when the minute runs out: the content
    // stays where it is, so a customer tabbing to the simulated phone link is not pulled back.
    if (!(from === "waiting" && state.step === "unheard"))
      bodyRef.current?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    switch (state.step) {
      case "paid":
        toast("success", paidText(state.transaction));
        changed.current();
        break;
      case "failed":
        toast("danger", state.reason);
        changed.current();
        break;
      case "review":
        toast("warning", "We are checking this payment by hand; we will update the booking.");
        changed.current();
        break;
      case "unheard":
        toast("warning", "We have not heard back from M-Pesa yet; we will keep checking.");
        break;
      case "waiting":
        changed.current();
        break;
      case "form":
      case "sending":
        break;
      default: {
        const _exhaustive: never = state;
        return _exhaustive;
      }
    }
  }, [state, toast]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current || state.step !== "form") return;
    const check = checkPhone(phone);
    if (!check.ok) {
      setPhoneProblem(check.problem);
      document.getElementById("pay-phone")?.focus();
      return;
    }
    setPhoneProblem(null);
    setMsisdn(check.msisdn);
    const request = {
      phoneNumber: check.msisdn,
      bookingId: booking.id,
      amount,
      type: "booking_fee" as const,
    };
    const attempt = idempotencyKeyFor(unanswered.current, JSON.stringify(request), newUuid);
    unanswered.current = attempt;
    inFlight.current = true;
    dispatch({ type: "submit" });
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
    try {
      const accepted = await sendStkPush(request, attempt.idempotencyKey, controller.signal);
      unanswered.current = null;
      dispatch({ type: "accepted", transactionId: accepted.transactionId });
    } catch (error) {
      if (error instanceof ApiError) {
        unanswered.current = null;
        refused(error);
      } else {
        // No answer: the prompt may have been sent. Pressing Pay again re-sends the same request
        // with the same Idempotency-Key, so the server answers it once.
        dispatch({
          type: "refused",
          problem: "We could not reach Malipo. Check your connection and press Pay again.",
        });
      }
    } finally {
      clearTimeout(timeout);
      inFlight.current = false;
    }
  };

  const refused = (error: ApiError) => {
    const existing = (error.details as { transactionId?: unknown } | undefined)?.transactionId;
    if (error.code === "PAYMENT_IN_PROGRESS" && typeof existing === "string") {
      dispatch({ type: "accepted", transactionId: existing });
      return;
    }
    if (
      error.code === "INVALID_PHONE" ||
      (error.code === "VALIDATION_ERROR" && mentionsPhone(error.details))
    ) {
      dispatch({ type: "refused", problem: null });
      setPhoneProblem(error.message);
      return;
    }
    const words = describePaymentRefusal(error.code) ?? error.message;
    dispatch({ type: "refused", problem: words });
    toast("danger", words);
    if (error.code === "ALREADY_PAID") changed.current();
  };

  const phoneLink = msisdn ? emulatorPhoneUrl(config, msisdn) : null;

  return (
    <Modal titleId="pay-title" onClose={onClose} testId="payment-modal">
      <div className="modal-header">
        <h2 id="pay-title">Pay booking fee</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <div className="pay-stage" ref={bodyRef}>
        {state.step === "form" || state.step === "sending" ? (
          <form onSubmit={submit} noValidate>
            <p className="pay-amount">
              Booking fee <strong>{formatKes(amount)}</strong>
            </p>
            <Field
              id="pay-phone"
              label="M-Pesa phone number"
              hint="For example 0712 345 678 or +254 712 345 678"
              error={phoneProblem}
            >
              {(control) => (
                <input
                  {...control}
                  data-autofocus
                  type="tel"
                  inputMode="tel"
                  autoComplete="tel"
                  value={phone}
                  onChange={(event) => {
                    setPhone(event.target.value);
                    if (phoneProblem) setPhoneProblem(null);
                  }}
                  onBlur={() => {
                    const check = checkPhone(phone);
                    if (phone.trim() !== "" && !check.ok) setPhoneProblem(check.problem);
                  }}
                  disabled={state.step === "sending"}
                />
              )}
            </Field>
            <FormError message={state.step === "form" ? state.problem : null} />
            <button
              type="submit"
              className="button button-primary button-wide"
              disabled={state.step === "sending"}
              aria-busy={state.step === "sending"}
            >
              {state.step === "sending" ? "Sending the prompt…" : `Pay ${formatKes(amount)}`}
            </button>
          </form>
        ) : (
          <PaymentProgress
            state={state}
            msisdn={msisdn}
            phoneLink={phoneLink}
            onRetry={() => dispatch({ type: "retry" })}
            onClose={onClose}
          />
        )}
      </div>
    </Modal>
  );
}

function PaymentProgress({
  state,
  msisdn,
  phoneLink,
  onRetry,
  onClose,
}: {
  state: Exclude<PaymentStep, { step: "form" | "sending" }>;
  msisdn: string | null;
  phoneLink: string | null;
  onRetry: () => void;
  onClose: () => void;
}) {
  switch (state.step) {
    case "waiting":
    case "unheard":
      return (
        <div className="pay-progress">
          <p className="pay-instruction" tabIndex={-1} data-autofocus>
            Check your phone and enter your M-Pesa PIN
          </p>
          <p className="pay-status" role="status" data-testid="payment-status">
            {state.step === "waiting" ? (
              <>
                <span className="spinner" aria-hidden="true" />
                <span>
                  {msisdn ? `Prompt sent to ${formatMsisdn(msisdn)}. ` : ""}Waiting for you to enter your PIN…
                </span>
              </>
            ) : (
              <>
                <ToneIcon tone="waiting" />
                <span>
                  We have not heard back yet; we will keep checking. You can close this window: the booking
                  page updates by itself.
                </span>
              </>
            )}
          </p>
          {phoneLink && (
            <p>
              <a
                href={phoneLink}
                target="_blank"
                rel="noreferrer"
                className="button button-secondary button-wide"
              >
                Open the simulated phone
              </a>
            </p>
          )}
          {/* Present in both steps so nothing moves when the minute is up. */}
          <button type="button" className="button button-secondary button-wide" onClick={onClose}>
            Close
          </button>
        </div>
      );
    case "paid":
      return (
        <div className="pay-progress">
          <p className="pay-result pay-result-success" role="status" data-testid="payment-status">
            <ToneIcon tone="success" /> Payment received.
          </p>
          <p>
            M-Pesa receipt{" "}
            <strong data-testid="receipt">{state.transaction.mpesaReceiptNumber ?? "—"}</strong>
          </p>
          <button
            type="button"
            className="button button-primary button-wide"
            onClick={onClose}
            data-autofocus
          >
            View booking details
          </button>
        </div>
      );
    case "failed":
      return (
        <div className="pay-progress">
          <p className="pay-result pay-result-danger" role="status" data-testid="payment-status">
            <ToneIcon tone="danger" /> Payment did not go through.
          </p>
          <p data-testid="failure-reason">{state.reason}</p>
          <button
            type="button"
            className="button button-primary button-wide"
            onClick={onRetry}
            data-autofocus
          >
            Try again
          </button>
        </div>
      );
    case "review":
      return (
        <div className="pay-progress">
          <p className="pay-result pay-result-warning" role="status" data-testid="payment-status">
            <ToneIcon tone="warning" /> Something about this payment needs checking.
          </p>
          <p>
            M-Pesa's answer did not match what we expected. Our team will check it and update your booking.
          </p>
          <button
            type="button"
            className="button button-secondary button-wide"
            onClick={onClose}
            data-autofocus
          >
            Close
          </button>
        </div>
      );
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
}

function paidText(transaction: Transaction): string {
  const receipt = transaction.mpesaReceiptNumber ? ` Receipt ${transaction.mpesaReceiptNumber}.` : "";
  return `Booking fee of ${formatKes(transaction.amount)} paid.${receipt}`;
}

function mentionsPhone(details: unknown): boolean {
  return JSON.stringify(details ?? "").includes("phoneNumber");
}
