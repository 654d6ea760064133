/**
 * The navigation's link to the review queue with how many items wait there. Lazy, like the page:
 * the count is read once the header is shown, again on each navigation, and whenever the page reads
 * the queue (a decision made there updates it at once).
 */
import { useEffect } from "react";
import { NavLink, useLocation } from "../router.tsx";
import { refreshWaiting, useWaiting } from "./review-api.ts";
import "./review.css";

export default function ReviewNavLink() {
  const { pathname } = useLocation();
  const waiting = useWaiting();
  // The page reads the queue itself; elsewhere a navigation is a good moment to look again.
  useEffect(() => {
    if (pathname !== "/admin/review") refreshWaiting();
  }, [pathname]);
  return (
    <NavLink to="/admin/review">
      Review
      {waiting !== null && waiting > 0 && (
        // Read as "Review 4 to decide" (a pill is set apart from the word, as a space would be).
        <span className="nav-count">
          {waiting}
          <span className="visually-hidden"> to decide</span>
        </span>
      )}
    </NavLink>
  );
}
