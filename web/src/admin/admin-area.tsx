/**
 * The admins' part of the shell, loaded only for admins so the payment path never carries it: their
 * pages (each lazy in turn) and their first navigation links, with how many items wait on the
 * review queue.
 */
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from "react";
import { NavLink } from "../router.tsx";
import ReviewNavLink from "./review-nav-link.tsx";
import AdminReviewPage from "./review-page.tsx";

const PAGES: Record<string, ComponentType | LazyExoticComponent<ComponentType>> = {
  "/admin": lazy(() => import("./admin-dashboard-page.tsx")),
  // With the navigation's count, which reads the same queue: one chunk.
  "/admin/review": AdminReviewPage,
  "/admin/bookings": lazy(() => import("./admin-bookings-page.tsx")),
  "/admin/webhooks": lazy(() => import("./webhooks-page.tsx")),
};

export default function AdminPage({ pathname, notFound }: { pathname: string; notFound: ReactNode }) {
  const Page = PAGES[pathname];
  return Page ? <Page /> : notFound;
}

export function AdminNav() {
  return (
    <>
      <NavLink to="/admin">Dashboard</NavLink>
      <ReviewNavLink />
      <NavLink to="/admin/bookings">Bookings</NavLink>
    </>
  );
}
