/**
 * Daraja timestamps are `YYYYMMDDHHmmss` in East Africa Time (UTC+3, no daylight saving).
 * CheckoutRequestIDs and callback TransactionDate values use the same wall clock.
 */
const EAT_OFFSET_MS = 3 * 60 * 60 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Formats an instant as a Daraja timestamp in East Africa Time. */
export function toDarajaTimestamp(instant: Date): string {
  const eat = new Date(instant.getTime() + EAT_OFFSET_MS);
  return (
    pad(eat.getUTCFullYear(), 4) +
    pad(eat.getUTCMonth() + 1) +
    pad(eat.getUTCDate()) +
    pad(eat.getUTCHours()) +
    pad(eat.getUTCMinutes()) +
    pad(eat.getUTCSeconds())
  );
}

/**
 * Parses `YYYYMMDDHHmmss` as a wall-clock time at the given UTC offset (East Africa Time by default)
 * and returns the instant, or null when the string is not a real calendar time.
 */
export function parseDarajaTimestamp(value: string | number, offsetHours = 3): Date | null {
  const text = String(value);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  // Date.UTC rolls 31 February over into March; a real timestamp round-trips.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return new Date(utc - offsetHours * 60 * 60 * 1000);
}
