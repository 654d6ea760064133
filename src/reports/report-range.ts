/**
 * The time range every admin report covers: `from` inclusive, `to` exclusive, ISO-8601 dates or
 * date-times, defaulting to the 30 days before now, at most a year, so each report reads a bounded
 * number of rows.
 */
import { AppError } from "../errors.ts";

export interface ReportRange {
  /** Inclusive start, ISO-8601 date or date-time; default 30 days before `to`. */
  from?: string;
  /** Exclusive end, ISO-8601 date or date-time; default now. */
  to?: string;
}

const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 366;

function parseInstant(value: string | undefined, field: "from" | "to"): Date | null {
  if (value === undefined || value.trim() === "") return null;
  const trimmed = value.trim();
  const valid = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/i.test(trimmed);
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00.000Z` : trimmed);
  if (!valid || Number.isNaN(date.getTime()))
    throw new AppError("VALIDATION_ERROR", `${field} must be an ISO-8601 date or date-time`, {
      fields: [{ field, message: "must be an ISO-8601 date or date-time" }],
    });
  return date;
}

/** The range asked for, checked; VALIDATION_ERROR naming the field otherwise. */
export function resolveRange(range: ReportRange, now: Date): { from: Date; to: Date } {
  const to = parseInstant(range.to, "to") ?? now;
  const from = parseInstant(range.from, "from") ?? new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime())
    throw new AppError("VALIDATION_ERROR", "from must be before to", {
      fields: [{ field: "from", message: "must be before to" }],
    });
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw new AppError("VALIDATION_ERROR", `Ask for at most ${MAX_RANGE_DAYS} days at a time`, {
      fields: [{ field: "from", message: `range must be at most ${MAX_RANGE_DAYS} days` }],
    });
  return { from, to };
}
