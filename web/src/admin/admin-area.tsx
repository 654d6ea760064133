/**
 * The admins' part of the shell, loaded only for admins so the payment path never carries it: their
 * pages (each lazy in turn) and their first navigation links, with how many items wait on the
 * review queue.
 */
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from "react";
import { matchPath } from "../lib/route-match.ts";
import { NavLink } from "../router.tsx";
import ReconciliationRunPage from "./reconciliation-run-page.tsx";
import ReconciliationsPage from "./reconciliations-page.tsx";
import ReviewNavLink from "./review-nav-link.tsx";
import AdminReviewPage from "./review-page.tsx";

const PAGES: Record<string, ComponentType | LazyExoticComponent<ComponentType>> = {
  "/admin": lazy(() => import("./admin-dashboard-page.tsx")),
  // With the navigation's count, which reads the same queue: one chunk. Reconciliation decides its
  // discrepancies in the same dialog, so it is in this chunk too (a chunk of its own would import
  // from this one, which costs the payment path a shared runtime chunk).
  "/admin/review": AdminReviewPage,
  "/admin/reconciliations": ReconciliationsPage,
  "/admin/bookings": lazy(() => import("./admin-bookings-page.tsx")),
  "/admin/webhooks": lazy(() => import("./webhooks-page.tsx")),
};

export default function AdminPage({ pathname, notFound }: { pathname: string; notFound: ReactNode }) {
  const Page = PAGES[pathname];
  if (Page) return <Page />;
  const run = matchPath("/admin/reconciliations/:id", pathname);
  if (run?.id) return <ReconciliationRunPage key={run.id} runId={run.id} />;
  return notFound;
}

export function AdminNav() {
  return (
    <>
      <NavLink to="/admin">Dashboard</NavLink>
      <ReviewNavLink />
      <NavLink to="/admin/bookings">Bookings</NavLink>
      <NavLink to="/admin/reconciliations">Reconciliation</NavLink>
    </>
  );
}
