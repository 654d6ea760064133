/**
 * pino with the two habits a payment service needs: secrets are redacted by path, and anything that
 * looks like a Kenyan phone number is masked wherever it appears in a logged value.
 */
import pino, { type Logger } from "pino";
import type { LogLevel } from "./config.ts";
import { maskMsisdn } from "./daraja/phone.ts";

export type { Logger };

const PHONE_PATTERN = /(?<!\d)(?:\+?254|0)[17]\d{8}(?!\d)/g;

/** Masks every phone number inside a string (`254712345678` → `2547****5678`). */
export function maskPhonesIn(text: string): string {
  return text.replace(PHONE_PATTERN, (match) => maskMsisdn(match.replace(/^\+/, "")));
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === "string") return maskPhonesIn(value);
  if (
    typeof value === "number" &&
    Number.isSafeInteger(value) &&
    value > 254_100_000_000 &&
    value < 254_800_000_000
  )
    return maskMsisdn(String(value));
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
    return out;
  }
  return value;
}

export const REDACT_PATHS = [
  "password",
  "*.password",
  "Password",
  "*.Password",
  "passkey",
  "*.passkey",
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "req.headers.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "consumerSecret",
  "*.consumerSecret",
  "secret",
  "*.secret",
];

const SECRET_QUERY_PARAMS = /([?&](?:access_token|token|sig|signature)=)[^&#]*/gi;

/** Hides credentials carried in a URL's query (the SSE access token, the callback signature). */
export function redactUrl(url: string): string {
  return maskPhonesIn(url.replace(SECRET_QUERY_PARAMS, "$1[redacted]"));
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

const serializers = {
  // Replaces Fastify's default request serializer: same fields, with the URL's secrets hidden.
  req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url ?? ""), remoteAddress: req.ip }),
};

export function createLogger(level: LogLevel = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers,
      formatters: {
        log: (object) => maskDeep(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === "string" ? maskPhonesIn(a) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
