/**
 * OAuth access tokens. A new token does not invalidate older unexpired ones: public client
 * libraries fetch a token before every call, and several app instances share one consumer key.
 */
import { accessToken } from "./identifiers.ts";

/** Upper bound on remembered tokens; a client that fetches one per call must not grow memory forever. */
const MAX_TOKENS = 10_000;

export class TokenStore {
  readonly #expiries = new Map<string, number>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => Date,
  ) {}

  issue(): { token: string; expiresInSeconds: number } {
    const nowMs = this.now().getTime();
    for (const [token, expiry] of this.#expiries) if (expiry <= nowMs) this.#expiries.delete(token);
    while (this.#expiries.size >= MAX_TOKENS) {
      const oldest = this.#expiries.keys().next().value;
      if (oldest === undefined) break;
      this.#expiries.delete(oldest);
    }
    const token = accessToken();
    this.#expiries.set(token, nowMs + this.ttlSeconds * 1000);
    return { token, expiresInSeconds: this.ttlSeconds };
  }

  isValid(token: string): boolean {
    const expiry = this.#expiries.get(token);
    return expiry !== undefined && expiry > this.now().getTime();
  }

  clear(): void {
    this.#expiries.clear();
  }
}

/** The bearer token of an `Authorization: Bearer <token>` header, or null. */
export function bearerTokenOf(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** `{key, secret}` from an `Authorization: Basic base64(key:secret)` header, or null when malformed. */
export function basicCredentialsOf(header: string | undefined): { key: string; secret: string } | null {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
