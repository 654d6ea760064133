/** A customer's bookings, newest first (technicians have their jobs page, admins theirs). */
import { useEffect, useState } from "react";
import { listBookings } from "../api/endpoints.ts";
import type { Booking } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatDateTime, formatKes } from "../lib/format.ts";
import { bookingStatusWords, feeStatusWords } from "../lib/words.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session.ts";

export function BookingsPage() {
  const session = useSession();
  const [bookings, setBookings] = useState<Booking[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    listBookings(1, 20)
      .then((page) => live && setBookings(page.items))
      .catch((error: Error) => live && setProblem(error.message));
    return () => {
      live = false;
    };
  }, []);

  return (
    <section>
      <div className="page-title">
        <h1 tabIndex={-1}>Your bookings</h1>
        {session?.user.role === "customer" && (
          <Link to="/bookings/new" className="button button-primary">
            New booking
          </Link>
        )}
      </div>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {!bookings && !problem && <p className="loading">Loading your bookings…</p>}
      {bookings?.length === 0 && <p>No bookings yet.</p>}
      {bookings && bookings.length > 0 && (
        <ul className="cards">
          {bookings.map((booking) => (
            <li key={booking.id} className="card">
              <Link to={`/bookings/${booking.id}`} className="card-title">
                {booking.service}
              </Link>
              <p className="muted">{formatDateTime(booking.scheduledFor ?? booking.createdAt)}</p>
              <p className="badges">
                <StatusBadge words={bookingStatusWords(booking.status)} />
                <span>
                  Fee {formatKes(booking.bookingFee.amount)}:{" "}
                  <StatusBadge words={feeStatusWords(booking.bookingFee.status)} />
                </span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
