/**
 * One booking: its status, the booking fee and its state, every payment attempt with its outcome
 * and receipt, and the Pay button while the fee is unpaid; then (loaded lazily) what can happen next
 * and where the fee went. While an attempt is still open (and the payment modal is not watching it)
 * the page polls quickly; while the booking waits for a technician or the job, or a payout or refund
 * is on its way, slowly: it updates by itself.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { fetchBooking } from "../api/endpoints.ts";
import type { Booking, PaymentAttempt } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { formatDateTime, formatKes, formatMsisdn } from "../lib/format.ts";
import {
  bookingStatusWords,
  describeFailure,
  feeStatusWords,
  isMoneyOutOpen,
  isSettled,
  paymentStatusWords,
} from "../lib/words.ts";
import { BookingFeePaymentModal } from "../payments/booking-fee-payment-modal.tsx";
import { Link } from "../router.tsx";
import { useSession } from "../session.ts";

const POLL_MS = 5_000;
const SLOW_POLL_MS = 10_000;

const BookingLifePanel = lazy(() => import("../escrow/booking-life-panel.tsx"));

export function BookingDetailsPage({ bookingId }: { bookingId: string }) {
  const session = useSession();
  const toast = useToast();
  const [booking, setBooking] = useState<Booking | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [paying, setPaying] = useState(false);
  const previous = useRef<Booking | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const next = await fetchBooking(bookingId, signal);
        setBooking(next);
        setProblem(null);
        return next;
      } catch (error) {
        if (signal?.aborted) return null;
        if (error instanceof ApiError && error.status === 404) setProblem("We could not find this booking.");
        else setProblem(error instanceof Error ? error.message : "Could not load the booking.");
        return null;
      }
    },
    [bookingId],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // Outcomes noticed by polling (the modal announces its own while open).
  useEffect(() => {
    const before = previous.current;
    previous.current = booking;
    if (!before || !booking || paying) return;
    for (const attempt of booking.payments) {
      const earlier = before.payments.find((p) => p.id === attempt.id);
      if (!earlier || isSettled(earlier.status) || !isSettled(attempt.status)) continue;
      if (attempt.status === "completed")
        toast("success", `Booking fee paid. Receipt ${attempt.mpesaReceiptNumber ?? ""}`);
      else if (attempt.status === "failed") toast("danger", describeFailure(attempt));
      else toast("warning", "A payment for this booking is being checked by our team.");
    }
  }, [booking, paying, toast]);

  const open = booking?.payments.some((p) => !isSettled(p.status)) ?? false;
  const moving =
    booking !== null &&
    (booking.status === "matching" ||
      booking.status === "assigned" ||
      [booking.payout, booking.refund].some((item) => item && isMoneyOutOpen(item.status)));
  const pollMs = open ? POLL_MS : moving ? SLOW_POLL_MS : null;
  useEffect(() => {
    if (pollMs === null || paying) return;
    const controller = new AbortController();
    const timer = setInterval(() => void load(controller.signal), pollMs);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [pollMs, paying, load]);

  if (!booking) {
    return (
      <section>
        <h1 tabIndex={-1}>Booking</h1>
        {problem ? (
          <p className="form-error" role="alert">
            {problem} <Link to="/">Back to your bookings</Link>
          </p>
        ) : (
          <p className="loading">Loading the booking…</p>
        )}
      </section>
    );
  }

  const fee = booking.bookingFee;
  const canPay =
    fee.status === "pending" && session?.user.role === "customer" && booking.status !== "cancelled";
  return (
    <section>
      <h1 tabIndex={-1}>{booking.service}</h1>
      <p className="badges" data-testid="booking-status">
        <StatusBadge words={bookingStatusWords(booking.status)} />
      </p>
      <dl className="facts">
        <dt>When</dt>
        <dd>{formatDateTime(booking.scheduledFor)}</dd>
        <dt>Where</dt>
        <dd>{booking.location ?? "—"}</dd>
        {booking.description && (
          <>
            <dt>Details</dt>
            <dd>{booking.description}</dd>
          </>
        )}
        <dt>Reference</dt>
        <dd className="mono">{booking.id}</dd>
        {booking.cancelReason && (
          <>
            <dt>Why cancelled</dt>
            <dd>{booking.cancelReason}</dd>
          </>
        )}
      </dl>

      <section className="panel" aria-labelledby="fee-title">
        <h2 id="fee-title">Booking fee</h2>
        <p className="fee-line">
          <strong>{formatKes(fee.amount)}</strong>
          <StatusBadge words={feeStatusWords(fee.status)} testId="fee-status" />
        </p>
        {session?.user.role === "customer" && (fee.status === "pending" || fee.status === "held") && (
          <p className="muted">
            The fee is held safely until the job is done, then released to your technician, or refunded.
          </p>
        )}
        {canPay && (
          <button type="button" className="button button-primary button-wide" onClick={() => setPaying(true)}>
            Pay booking fee with M-Pesa
          </button>
        )}
      </section>

      {session && (
        <Suspense fallback={null}>
          <BookingLifePanel
            booking={booking}
            viewer={session.user}
            onChanged={(next) => (next ? setBooking(next) : void load())}
          />
        </Suspense>
      )}

      <section className="panel" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Payment attempts</h2>
        {booking.payments.length === 0 ? (
          <p className="muted">No payment attempts yet.</p>
        ) : (
          <ul className="attempts" data-testid="attempts">
            {booking.payments.map((attempt) => (
              <Attempt key={attempt.id} attempt={attempt} />
            ))}
          </ul>
        )}
      </section>

      {paying && (
        <BookingFeePaymentModal
          booking={booking}
          defaultPhone={session?.user.phoneNumber ?? null}
          onClose={() => {
            setPaying(false);
            void load();
          }}
          onChange={() => void load()}
        />
      )}
    </section>
  );
}

function Attempt({ attempt }: { attempt: PaymentAttempt }) {
  return (
    <li className="attempt" data-status={attempt.status}>
      <div className="attempt-head">
        <StatusBadge words={paymentStatusWords(attempt.status)} />
        <span>{formatKes(attempt.amount)}</span>
      </div>
      <p className="muted">
        {formatDateTime(attempt.createdAt)} · {formatMsisdn(attempt.phoneNumber)}
      </p>
      {attempt.mpesaReceiptNumber && (
        <p>
          M-Pesa receipt <strong className="mono">{attempt.mpesaReceiptNumber}</strong>
        </p>
      )}
      {attempt.status === "failed" && <p>{describeFailure(attempt)}</p>}
    </li>
  );
}
