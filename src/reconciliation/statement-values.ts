/**
 * The values of a statement cell: amounts as the portal prints them, to integer cents without
 * floating point, and the portal's local Kenyan times (EAT, UTC+3, no daylight saving) to ISO UTC.
 * Each returns null when the text is not one, so the reader can say which cell and line is wrong.
 */

/** `1234.5`, `1,234.50`, `-500.00`, `+20`; at most 13 digits before the point, 2 after. */
const AMOUNT = /^([+-])?(\d{1,3}(?:,\d{3})+|\d{1,13})(?:\.(\d{1,2}))?$/;

/** Signed cents of `text` (trimmed, not empty), or null when it is not an amount. */
export function parseAmountCents(text: string): number | null {
  const match = AMOUNT.exec(text);
  if (match === null) return null;
  const whole = (match[2] ?? "").replaceAll(",", "");
  if (whole.length > 13) return null;
  const cents = Number(whole) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
  return match[1] === "-" && cents !== 0 ? -cents : cents;
}

/** Cents as the portal prints them: `123450` → `1,234.50`, `-50000` → `-500.00`. */
export function formatAmountCents(cents: number, thousands = true): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100));
  const grouped = thousands ? whole.replace(/\B(?=(\d{3})+$)/g, ",") : whole;
  return `${sign}${grouped}.${String(abs % 100).padStart(2, "0")}`;
}

/** Kenya keeps East Africa Time all year. */
const EAT_OFFSET_MS = 3 * 60 * 60 * 1000;

// `2026-11-30 14:05:10` (also `/`, `T`, no seconds) and `30-11-2026 14:05:10` (also `/`, `.`).
const YEAR_FIRST = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const DAY_FIRST = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const num = (digits: string | undefined) => Number(digits ?? "0");

function timeFields(text: string): TimeFields | null {
  const y = YEAR_FIRST.exec(text);
  if (y !== null)
    return {
      year: num(y[1]),
      month: num(y[2]),
      day: num(y[3]),
      hour: num(y[4]),
      minute: num(y[5]),
      second: num(y[6]),
    };
  const d = DAY_FIRST.exec(text);
  if (d !== null)
    return {
      year: num(d[3]),
      month: num(d[2]),
      day: num(d[1]),
      hour: num(d[4]),
      minute: num(d[5]),
      second: num(d[6]),
    };
  return null;
}

/** ISO UTC of a portal time printed in EAT, or null when it is not a real date and time. */
export function parseEatTime(text: string): string | null {
  const t = timeFields(text);
  if (t === null) return null;
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.hour > 23 || t.minute > 59 || t.second > 59) return null;
  const local = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  // Date.UTC rolls 31 February over into March: a date that does not come back is not real.
  if (new Date(local).getUTCDate() !== t.day) return null;
  return new Date(local - EAT_OFFSET_MS).toISOString();
}

/** ISO UTC → the portal's EAT form, `30-11-2026 14:05:10`. */
export function formatEatTime(iso: string | Date): string {
  const eat = new Date(new Date(iso).getTime() + EAT_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${two(eat.getUTCDate())}-${two(eat.getUTCMonth() + 1)}-${eat.getUTCFullYear()} ` +
    `${two(eat.getUTCHours())}:${two(eat.getUTCMinutes())}:${two(eat.getUTCSeconds())}`
  );
}
