/**
 * Every booking for admins, filtered by status (open to take first, where an admin is most often
 * needed), a page at a time: assign a technician to an open one here; each booking's page has the
 * rest (complete, cancel).
 */
import { useCallback, useEffect, useState } from "react";
import { listBookings } from "../api/endpoints.ts";
import type { Booking, BookingStatus, Page } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { AssignTechnicianModal } from "../escrow/assign-technician-modal.tsx";
import { formatDateTime, formatKes } from "../lib/format.ts";
import { bookingStatusWords, feeStatusWords } from "../lib/words.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import "../escrow/escrow.css";

const PAGE_SIZE = 10;
const STATUSES: BookingStatus[] = ["matching", "assigned", "pending_payment", "completed", "cancelled"];

function parseStatus(value: string | null): BookingStatus | "all" {
  if (value === "all") return "all";
  return STATUSES.find((status) => status === value) ?? "matching";
}

export default function AdminBookingsPage() {
  const { search } = useLocation();
  const status = parseStatus(search.get("status"));
  const page = Math.max(1, Number.parseInt(search.get("page") ?? "1", 10) || 1);
  const toast = useToast();
  const [result, setResult] = useState<Page<Booking> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [assigning, setAssigning] = useState<Booking | null>(null);

  const load = useCallback(async () => {
    try {
      setResult(await listBookings(page, PAGE_SIZE, status === "all" ? undefined : status));
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not load the bookings.");
    }
  }, [page, status]);
  useEffect(() => {
    void load();
  }, [load]);

  const go = (next: { status?: BookingStatus | "all"; page?: number }) => {
    const params = new URLSearchParams();
    const nextStatus = next.status ?? status;
    if (nextStatus !== "matching") params.set("status", nextStatus);
    if ((next.page ?? 1) > 1) params.set("page", String(next.page));
    const text = params.toString();
    navigate(`/admin/bookings${text ? `?${text}` : ""}`);
  };

  return (
    <section>
      <h1 tabIndex={-1}>Bookings</h1>
      <div className="toolbar">
        <label htmlFor="bookings-status">Show</label>
        <select
          id="bookings-status"
          value={status}
          onChange={(e) => go({ status: parseStatus(e.target.value) })}
        >
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {bookingStatusWords(value).label}
            </option>
          ))}
          <option value="all">All bookings</option>
        </select>
      </div>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {!result && !problem && <p className="loading">Loading bookings…</p>}
      {result?.items.length === 0 && <p>No bookings with this status.</p>}
      {result && result.items.length > 0 && (
        <ul className="cards" data-testid="admin-bookings">
          {result.items.map((booking) => (
            <li key={booking.id} className="card">
              <Link to={`/bookings/${booking.id}`} className="card-title">
                {booking.service}
              </Link>
              <p className="job-meta">
                <span>{formatDateTime(booking.scheduledFor ?? booking.createdAt)}</span>
                {booking.location && <span>{booking.location}</span>}
              </p>
              <p className="badges">
                <StatusBadge words={bookingStatusWords(booking.status)} />
                <span>
                  Fee {formatKes(booking.bookingFee.amount)}:{" "}
                  <StatusBadge words={feeStatusWords(booking.bookingFee.status)} />
                </span>
              </p>
              {booking.status === "matching" && booking.technicianId === null && (
                <div className="actions">
                  <button
                    type="button"
                    className="button button-primary"
                    aria-label={`Assign a technician to ${booking.service}`}
                    onClick={() => setAssigning(booking)}
                  >
                    Assign a technician
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {result && result.pages > 1 && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="button button-secondary"
            disabled={page <= 1}
            onClick={() => go({ page: page - 1 })}
          >
            ← Previous
          </button>
          <span aria-live="polite">
            Page {result.page} of {result.pages} ({result.total} bookings)
          </span>
          <button
            type="button"
            className="button button-secondary"
            disabled={page >= result.pages}
            onClick={() => go({ page: page + 1 })}
          >
            Next →
          </button>
        </nav>
      )}
      {assigning && (
        <AssignTechnicianModal
          booking={assigning}
          onClose={() => {
            setAssigning(null);
            void load();
          }}
          onAssigned={(booking) => {
            setAssigning(null);
            toast("success", `${booking.service}: technician assigned.`);
            void load();
          }}
        />
      )}
    </section>
  );
}
