/**
 * Who is signed in: the JWT and the user, kept in localStorage so a reload on a flaky connection
 * does not sign the customer out. A tiny external store read with useSyncExternalStore.
 */
import { useSyncExternalStore } from "react";
import type { User } from "./api/types.ts";

export interface Session {
  token: string;
  user: User;
}

const STORAGE_KEY = "malipo.session";
const listeners = new Set<() => void>();
let current: Session | null = readStored();

function readStored(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    return typeof parsed.token === "string" && parsed.user ? (parsed as Session) : null;
  } catch {
    return null;
  }
}

function publish(next: Session | null): void {
  current = next;
  try {
    if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Private mode or full storage: the session still lives for this tab.
  }
  for (const listener of listeners) listener();
}

export function getSession(): Session | null {
  return current;
}

export function signIn(session: Session): void {
  publish(session);
}

export function signOut(): void {
  publish(null);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}
