/**
 * The shell: header with navigation for the signed-in role, the routes, and lazy loading for the
 * pages the payment path does not need (history, jobs, payouts, refunds, account, admin pages) so a
 * customer on a slow connection downloads only the booking and payment code.
 */
import { lazy, type ReactNode, Suspense, useEffect, useRef } from "react";
import { ToastProvider } from "./components/toast.tsx";
import { matchPath } from "./lib/route-match.ts";
import { AuthPage } from "./pages/auth-page.tsx";
import { BookingDetailsPage } from "./pages/booking-details-page.tsx";
import { BookingsPage } from "./pages/bookings-page.tsx";
import { NewBookingPage } from "./pages/new-booking-page.tsx";
import { Link, NavLink, navigate, useLocation } from "./router.tsx";
import { type Session, signOut, useSession } from "./session.ts";

const PaymentHistoryPage = lazy(() => import("./pages/payment-history-page.tsx"));
const JobsPage = lazy(() => import("./technician/jobs-page.tsx"));
const PayoutsPage = lazy(() => import("./pages/payouts-page.tsx"));
const RefundsPage = lazy(() => import("./pages/refunds-page.tsx"));
const AccountPage = lazy(() => import("./pages/account-page.tsx"));
// Admins' pages and links load only for admins: none of it is on the payment path.
const AdminPage = lazy(() => import("./admin/admin-area.tsx"));
const AdminNav = lazy(() => import("./admin/admin-area.tsx").then((m) => ({ default: m.AdminNav })));

export function App() {
  const session = useSession();
  const { pathname } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // On navigation, move focus to the new page's heading so keyboard and screen-reader users start there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new path by design
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [pathname]);

  return (
    <ToastProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header session={session} />
      <main id="main" ref={mainRef} className="main">
        <Suspense fallback={<p className="loading">Loading…</p>}>{route(pathname, session)}</Suspense>
      </main>
    </ToastProvider>
  );
}

function route(pathname: string, session: Session | null): ReactNode {
  if (pathname === "/login") return <AuthPage mode="login" />;
  if (pathname === "/signup") return <AuthPage mode="signup" />;
  if (!session) return <Redirect to={`/login?next=${encodeURIComponent(pathname + location.search)}`} />;

  const role = session.user.role;
  if (pathname === "/") {
    if (role === "admin") return <Redirect to="/admin" />;
    return role === "technician" ? <JobsPage /> : <BookingsPage />;
  }
  if (pathname === "/bookings/new" && role === "customer") return <NewBookingPage />;
  const booking = matchPath("/bookings/:id", pathname);
  if (booking?.id && booking.id !== "new")
    return <BookingDetailsPage key={booking.id} bookingId={booking.id} />;
  if (pathname === "/payments" && role !== "technician") return <PaymentHistoryPage />;
  if (pathname === "/payouts" && role !== "customer") return <PayoutsPage />;
  if (pathname === "/refunds" && role !== "technician") return <RefundsPage />;
  if (pathname === "/account") return <AccountPage />;
  if (role === "admin" && pathname.startsWith("/admin"))
    return <AdminPage pathname={pathname} notFound={<NotFound />} />;
  return <NotFound />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  return (
    <section>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <Link to="/">Go to your bookings</Link>
      </p>
    </section>
  );
}

function Header({ session }: { session: Session | null }) {
  const role = session?.user.role;
  return (
    <header className="header">
      <Link to="/" className="brand">
        Malipo
      </Link>
      {session && (
        <nav aria-label="Main" className="nav">
          {role === "customer" && <NavLink to="/">Bookings</NavLink>}
          {role === "customer" && <NavLink to="/bookings/new">New booking</NavLink>}
          {role === "technician" && <NavLink to="/">Jobs</NavLink>}
          {role === "admin" && (
            <Suspense fallback={null}>
              <AdminNav />
            </Suspense>
          )}
          {role !== "technician" && <NavLink to="/payments">Payments</NavLink>}
          {role !== "customer" && <NavLink to="/payouts">Payouts</NavLink>}
          {role !== "technician" && <NavLink to="/refunds">Refunds</NavLink>}
          {role !== "admin" && <NavLink to="/account">Account</NavLink>}
          {role === "admin" && <NavLink to="/admin/webhooks">Webhooks</NavLink>}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              signOut();
              navigate("/login");
            }}
          >
            Log out
          </button>
        </nav>
      )}
    </header>
  );
}
