/**
 * OAuth access tokens. A new token does not invalidate older unexpired ones: public client
 * libraries fetch a token before every call, and several app instances share one consumer key.
 * Tests may shorten the lifetime of new tokens, or expire every token at once, to exercise a
 * client's refresh.
 */
import { accessToken } from "./identifiers.ts";

/** Upper bound on remembered tokens; a client that fetches one per call must not grow memory forever. */
const MAX_TOKENS = 10_000;

export class TokenStore {
  readonly #expiries = new Map<string, number>();
  #ttlSeconds: number;

  private readonly defaultTtlSeconds: number;
  private readonly now: () => Date;

  constructor(defaultTtlSeconds: number, now: () => Date) {
    this.defaultTtlSeconds = defaultTtlSeconds;
    this.now = now;
    this.#ttlSeconds = defaultTtlSeconds;
  }

  /** Lifetime of tokens issued from now on, echoed as `expires_in`. */
  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  set ttlSeconds(seconds: number) {
    if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError("token lifetime must be ≥ 1 s");
    this.#ttlSeconds = seconds;
  }

  /** Back to the lifetime the emulator started with (issued tokens keep theirs). */
  restoreTtl(): void {
    this.#ttlSeconds = this.defaultTtlSeconds;
  }

  /** Tokens issued and not yet expired. */
  get validCount(): number {
    const nowMs = this.now().getTime();
    let count = 0;
    for (const expiry of this.#expiries.values()) if (expiry > nowMs) count += 1;
    return count;
  }

  /** Every token issued so far stops working (the next call gets 404.001.03). Returns how many were valid. */
  expireAll(): number {
    const valid = this.validCount;
    this.#expiries.clear();
    return valid;
  }

  issue(): { token: string; expiresInSeconds: number } {
    const nowMs = this.now().getTime();
    for (const [token, expiry] of this.#expiries) if (expiry <= nowMs) this.#expiries.delete(token);
    while (this.#expiries.size >= MAX_TOKENS) {
      const oldest = this.#expiries.keys().next().value;
      if (oldest === undefined) break;
      this.#expiries.delete(oldest);
    }
    const token = accessToken();
    this.#expiries.set(token, nowMs + this.#ttlSeconds * 1000);
    return { token, expiresInSeconds: this.#ttlSeconds };
  }

  isValid(token: string): boolean {
    const expiry = this.#expiries.get(token);
    return expiry !== undefined && expiry > this.now().getTime();
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
