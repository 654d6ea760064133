/**
 * Kenyan mobile numbers (MSISDNs) as Daraja wants them: `2547XXXXXXXX` or `2541XXXXXXXX`.
 * Accepts what customers type: `0712 345 678`, `712-345-678`, `+254712345678`, `254712345678`,
 * and the `01…` range. Anything else is not a number M-Pesa can prompt.
 */
export type Msisdn = string & { readonly __brand: "Msisdn" };

const KENYAN_MOBILE = /^(?:\+?254|0)?([17]\d{8})$/;

/** Returns the canonical `2547…`/`2541…` form, or null when the input is not a Kenyan mobile number. */
export function normalizeMsisdn(input: unknown): Msisdn | null {
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input) || input <= 0) return null;
    return normalizeMsisdn(String(input));
  }
  if (typeof input !== "string") return null;
  const compact = input.trim().replace(/[\s-]/g, "");
  if (compact.length === 0 || compact.length > 16) return null;
  const match = KENYAN_MOBILE.exec(compact);
  if (!match) return null;
  return `254${match[1]}` as Msisdn;
}

/** True when the value is already in canonical form (what Daraja's PhoneNumber/PartyA accept). */
export function isCanonicalMsisdn(value: string): value is Msisdn {
  return /^254[17]\d{8}$/.test(value);
}

/** `254712345678` → `2547****5678`: enough to recognise, not enough to dial. */
export function maskMsisdn(value: string): string {
  if (value.length < 8) return "****";
  return `${value.slice(0, 4)}****${value.slice(-4)}`;
}

/**
 * Could `reported` (a callback's PhoneNumber) be `msisdn`? A full number must be the same number. A
 * masked one (`2547****4149`, `2547 ***** 126`, `2******9`: some Daraja products hide the middle) is
 * compared on what it shows: its leading digits must begin the number and its trailing digits end it.
 */
export function couldBeMsisdn(reported: string, msisdn: string): boolean {
  const compact = reported.replace(/\s/g, "");
  if (!compact.includes("*")) return normalizeMsisdn(compact) === msisdn;
  const match = /^(\+?\d*)\*+(\d*)$/.exec(compact);
  if (!match) return false;
  const shown = match[1] ?? "";
  const lead = shown.startsWith("0") ? `254${shown.slice(1)}` : shown.replace(/^\+/, "");
  const tail = match[2] ?? "";
  return lead.length + tail.length < msisdn.length && msisdn.startsWith(lead) && msisdn.endsWith(tail);
}
