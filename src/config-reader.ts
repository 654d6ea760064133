/**
 * Reads environment variables for `loadConfig`: trims, applies defaults, and collects a message for
 * every bad value (naming the variable, never echoing a secret) instead of stopping at the first.
 */
import { Secret } from "./secret.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export class Reader {
  readonly problems: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${name} must be a number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(value)) return true;
    if (["0", "false", "no", "off"].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got "${value}")`);
    return fallback;
  }

  url(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme");
      return value.replace(/\/+$/, "");
    } catch {
      this.problems.push(`${name} must be an http(s) URL (got "${value}")`);
      return fallback;
    }
  }

  /** A secret; `required` names why it is needed when absent. Never echoes the value. */
  secret(name: string, fallback: string | null, required?: string): Secret {
    const value = this.raw(name);
    if (value !== undefined) return new Secret(value);
    if (fallback === null) {
      this.problems.push(`${name} is required${required ? ` ${required}` : ""}`);
      return new Secret("");
    }
    return new Secret(fallback);
  }

  required(name: string, why: string): string {
    const value = this.raw(name);
    if (value === undefined) {
      this.problems.push(`${name} is required ${why}`);
      return "";
    }
    return value;
  }
}
