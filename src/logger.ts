/**
 * pino with the two habits a payment service needs: secrets are redacted by path, and anything that
 * looks like a Kenyan phone number is masked wherever it appears in a logged value. Masking happens
 * twice: on the object logged (cheap, covers the common case) and on the finished line, because
 * some values only become text after the formatters ran — an Error's message and stack, a child
 * logger's bindings, a class instance's fields.
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

function maskDeep(value: unknown, maskText: (text: string) => string = maskPhonesIn, depth = 0): unknown {
  if (depth > 32) return value;
  if (typeof value === "string") return maskText(value);
  if (
    typeof value === "number" &&
    Number.isSafeInteger(value) &&
    value > 254_100_000_000 &&
    value < 254_800_000_000
  )
    return maskMsisdn(String(value));
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, maskText, depth + 1));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[maskText(k)] = maskDeep(v, maskText, depth + 1);
    return out;
  }
  return value;
}

// On the finished line, a phone is a digit run standing on its own: not part of a longer number
// (digits after a decimal point are), nor the tail of an identifier (a request id's "…-ae0712345678").
const PHONE_ALONE = /(?<![A-Za-z0-9.])(?:\+?254|0)[17]\d{8}(?![A-Za-z0-9])/g;
const PHONE_ALONE_TEST = new RegExp(PHONE_ALONE.source);

function maskPhonesStandingAlone(text: string): string {
  return text.replace(PHONE_ALONE, (match) => maskMsisdn(match.replace(/^\+/, "")));
}

/** The finished JSON line, with whatever phone is still in it masked (parsed only when one is). */
function maskLine(line: string): string {
  if (!PHONE_ALONE_TEST.test(line)) return line;
  try {
    return `${JSON.stringify(maskDeep(JSON.parse(line), maskPhonesStandingAlone))}\n`;
  } catch {
    // Not one JSON line (never expected): mask the text itself rather than write it as it is.
    return maskPhonesStandingAlone(line);
  }
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
        streamWrite: maskLine,
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === "string" ? maskPhonesIn(a) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
