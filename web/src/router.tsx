/**
 * A tiny history router: the server answers every page path with index.html, so plain paths work
 * on reload. Links are real <a href> (middle-click, copy link) that navigate without a reload.
 */
import { type AnchorHTMLAttributes, type MouseEvent, type ReactNode, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener("popstate", notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.scrollTo(0, 0);
  notify();
}

function currentHref(): string {
  return location.pathname + location.search;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface RouteLocation {
  pathname: string;
  search: URLSearchParams;
}

let cachedHref = "";
let cachedLocation: RouteLocation = { pathname: "/", search: new URLSearchParams() };

function snapshot(): RouteLocation {
  const href = currentHref();
  if (href !== cachedHref) {
    cachedHref = href;
    cachedLocation = { pathname: location.pathname, search: new URLSearchParams(location.search) };
  }
  return cachedLocation;
}

export function useLocation(): RouteLocation {
  return useSyncExternalStore(subscribe, snapshot);
}

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> {
  to: string;
}

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      rest.target === "_blank"
    )
      return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handleClick} {...rest} />;
}

/** A navigation link that tells assistive technology which page is current. */
export function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <Link to={to} aria-current={pathname === to ? "page" : undefined}>
      {children}
    </Link>
  );
}
