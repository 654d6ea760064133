/**
 * What can happen next to a booking, on its page, for whoever is looking: a technician accepts an
 * open job or marks theirs done, the customer cancels before a technician is assigned, an admin
 * assigns, completes or cancels; and where the fee went (payout or refund). Loaded lazily: the
 * payment path does not need it.
 */
import { useState } from "react";
import type { Booking } from "../api/types.ts";
import { useToast } from "../components/toast.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { bookingActions, type Viewer, whyCustomerCannotCancel } from "../lib/booking-life.ts";
import { formatKes } from "../lib/format.ts";
import { PhoneNeeded, useAcceptJob } from "./accept-job.tsx";
import { AssignTechnicianModal } from "./assign-technician-modal.tsx";
import { CancelBookingModal } from "./cancel-booking-modal.tsx";
import { CompleteJobModal } from "./complete-job-modal.tsx";
import { MoneyOutStatus } from "./money-out-status.tsx";
import "./escrow.css";

export interface BookingLifePanelProps {
  booking: Booking;
  viewer: Viewer;
  /** The booking as the server answered after a change, or nothing to read it again. */
  onChanged: (booking?: Booking) => void;
}

type Dialog = "cancel" | "complete" | "assign" | null;

export default function BookingLifePanel({ booking, viewer, onChanged }: BookingLifePanelProps) {
  const toast = useToast();
  const [dialog, setDialog] = useState<Dialog>(null);
  const acceptJob = useAcceptJob(() => onChanged());
  const actions = bookingActions(booking, viewer);
  const customerNote = whyCustomerCannotCancel(booking, viewer);
  const any = actions.accept || actions.complete || actions.cancel || actions.assign;

  // A dialog closed without a change may have been refused because the booking moved on: read it again.
  const close = () => {
    setDialog(null);
    onChanged();
  };
  const changed = (next: Booking, words: string) => {
    setDialog(null);
    toast("success", words);
    onChanged(next);
  };

  return (
    <>
      <MoneyOutStatus booking={booking} viewer={viewer} />
      {actions.accept && acceptJob.needsPhone && <PhoneNeeded onSaved={acceptJob.phoneAdded} />}
      {(any || customerNote) && (
        <section className="panel" aria-labelledby="next-title">
          <h2 id="next-title">What next</h2>
          {customerNote && (
            <p className="notice" data-testid="cancel-unavailable">
              <ToneIcon tone="neutral" />
              <span>{customerNote}</span>
            </p>
          )}
          <div className="actions">
            {actions.accept && (
              <button
                type="button"
                className="button button-primary"
                disabled={acceptJob.needsPhone || acceptJob.busyId !== null}
                aria-busy={acceptJob.busyId === booking.id}
                onClick={async () => {
                  const taken = await acceptJob.accept(booking);
                  if (taken) onChanged(taken);
                }}
              >
                {acceptJob.busyId === booking.id ? "Accepting…" : "Accept this job"}
              </button>
            )}
            {actions.complete && (
              <button type="button" className="button button-primary" onClick={() => setDialog("complete")}>
                Mark job done
              </button>
            )}
            {actions.assign && (
              <button type="button" className="button button-primary" onClick={() => setDialog("assign")}>
                Assign a technician
              </button>
            )}
            {actions.cancel && (
              <button type="button" className="button button-secondary" onClick={() => setDialog("cancel")}>
                Cancel booking
              </button>
            )}
          </div>
        </section>
      )}
      {dialog === "cancel" && (
        <CancelBookingModal
          booking={booking}
          viewer={viewer}
          onClose={close}
          onCancelled={(next) =>
            changed(
              next,
              next.refund
                ? `Booking cancelled. ${formatKes(next.refund.amount)} is being refunded by M-Pesa reversal.`
                : "Booking cancelled. Nothing was paid, so there is nothing to refund.",
            )
          }
        />
      )}
      {dialog === "complete" && (
        <CompleteJobModal
          booking={booking}
          viewer={viewer}
          onClose={close}
          onCompleted={(next) =>
            changed(
              next,
              next.payout
                ? `Job marked done. ${formatKes(next.payout.amount)} payout queued.`
                : "Job marked done.",
            )
          }
        />
      )}
      {dialog === "assign" && (
        <AssignTechnicianModal
          booking={booking}
          onClose={close}
          onAssigned={(next) => changed(next, "Technician assigned.")}
        />
      )}
    </>
  );
}
