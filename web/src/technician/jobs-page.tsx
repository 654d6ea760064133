/**
 * A technician's jobs: the paid bookings open to take (accept one), their own jobs in progress
 * (mark one done, which releases the fee to their payout), and the ones they finished. Without an
 * M-Pesa number on the account they are told why they need one and can add it here.
 */
import { type ReactNode, useCallback, useEffect, useState } from "react";
import { listBookings } from "../api/endpoints.ts";
import type { Booking, BookingStatus } from "../api/types.ts";
import { useAppConfig } from "../app-config.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { PhoneNeeded, useAcceptJob } from "../escrow/accept-job.tsx";
import { CompleteJobModal } from "../escrow/complete-job-modal.tsx";
import { commissionOf } from "../lib/booking-life.ts";
import { formatDateTime, formatKes } from "../lib/format.ts";
import { bookingStatusWords } from "../lib/words.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session.ts";
import "../escrow/escrow.css";

type Lists = Record<"open" | "mine" | "done", Booking[]>;

const QUERIES: [keyof Lists, BookingStatus, number][] = [
  ["open", "matching", 20],
  ["mine", "assigned", 50],
  ["done", "completed", 10],
];

export default function JobsPage() {
  const session = useSession();
  const config = useAppConfig();
  const toast = useToast();
  const [lists, setLists] = useState<Lists | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [completing, setCompleting] = useState<Booking | null>(null);

  const load = useCallback(async () => {
    try {
      const pages = await Promise.all(QUERIES.map(([, status, limit]) => listBookings(1, limit, status)));
      const [open, mine, done] = pages.map((page) => page.items);
      setLists({ open: open ?? [], mine: mine ?? [], done: done ?? [] });
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not load your jobs.");
    }
  }, []);
  const acceptJob = useAcceptJob(() => void load());

  useEffect(() => {
    void load();
  }, [load]);

  const share = (booking: Booking) =>
    config
      ? booking.bookingFee.amount - commissionOf(booking.bookingFee.amount, config.commissionPercent)
      : null;

  return (
    <section>
      <h1 tabIndex={-1}>Jobs</h1>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {acceptJob.needsPhone && (
        <PhoneNeeded
          onSaved={() => {
            acceptJob.phoneAdded();
            void load();
          }}
        />
      )}
      {!lists && !problem && <p className="loading">Loading jobs…</p>}
      {lists && (
        <>
          <h2 className="section-title">Open jobs</h2>
          {lists.open.length === 0 ? (
            <p className="muted">No open jobs right now. Paid bookings appear here.</p>
          ) : (
            <ul className="cards" data-testid="open-jobs">
              {lists.open.map((booking) => {
                const yours = share(booking);
                return (
                  <JobCard key={booking.id} booking={booking}>
                    {yours !== null && <p>You receive {formatKes(yours)} when it is done.</p>}
                    <div className="actions">
                      <button
                        type="button"
                        className="button button-primary"
                        disabled={acceptJob.needsPhone || acceptJob.busyId !== null}
                        aria-busy={acceptJob.busyId === booking.id}
                        aria-label={`Accept ${booking.service}`}
                        onClick={async () => {
                          if (await acceptJob.accept(booking)) void load();
                        }}
                      >
                        {acceptJob.busyId === booking.id ? "Accepting…" : "Accept"}
                      </button>
                    </div>
                  </JobCard>
                );
              })}
            </ul>
          )}

          <h2 className="section-title">My jobs</h2>
          {lists.mine.length === 0 ? (
            <p className="muted">No jobs in progress. Accept an open job to start.</p>
          ) : (
            <ul className="cards" data-testid="my-jobs">
              {lists.mine.map((booking) => (
                <JobCard key={booking.id} booking={booking}>
                  <div className="actions">
                    <button
                      type="button"
                      className="button button-primary"
                      aria-label={`Mark ${booking.service} done`}
                      onClick={() => setCompleting(booking)}
                    >
                      Mark job done
                    </button>
                  </div>
                </JobCard>
              ))}
            </ul>
          )}

          <h2 className="section-title">Done</h2>
          {lists.done.length === 0 ? (
            <p className="muted">Finished jobs appear here.</p>
          ) : (
            <>
              <ul className="cards" data-testid="done-jobs">
                {lists.done.map((booking) => (
                  <JobCard key={booking.id} booking={booking} />
                ))}
              </ul>
              <p>
                <Link to="/payouts">See your payouts</Link>
              </p>
            </>
          )}
        </>
      )}
      {completing && session && (
        <CompleteJobModal
          booking={completing}
          viewer={session.user}
          onClose={() => {
            setCompleting(null);
            void load();
          }}
          onCompleted={(done) => {
            setCompleting(null);
            toast(
              "success",
              done.payout
                ? `${done.service} done. ${formatKes(done.payout.amount)} payout queued.`
                : `${done.service} done.`,
            );
            void load();
          }}
        />
      )}
    </section>
  );
}

function JobCard({ booking, children }: { booking: Booking; children?: ReactNode }) {
  return (
    <li className="card">
      <Link to={`/bookings/${booking.id}`} className="card-title">
        {booking.service}
      </Link>
      <p className="job-meta">
        <span>{formatDateTime(booking.scheduledFor ?? booking.createdAt)}</span>
        {booking.location && <span>{booking.location}</span>}
      </p>
      <p className="badges">
        <StatusBadge words={bookingStatusWords(booking.status)} />
        <span>Fee {formatKes(booking.bookingFee.amount)}</span>
      </p>
      {children}
    </li>
  );
}
