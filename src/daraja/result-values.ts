/**
 * Typed readings of ResultParameter values: whole-shilling amounts, balances in cents (M-Pesa's
 * organisation balances carry cents: `8959269.60`), receipts, party names (`"254708374149 - JOHN
 * DOE"`), the two date formats (`dd.MM.yyyy HH:mm:ss` and `YYYYMMDDHHmmss`, both East Africa Time)
 * and the `Name|KES|…&Name|KES|…` balance strings. Every refusal is a ResultParseError.
 */
import { normalizeMsisdn } from "./phone.ts";
import { isPlaceholderReceipt, isReceiptShaped } from "./receipt.ts";
import { type ParameterValue, ResultParseError } from "./result-envelope.ts";
import { parseDarajaTimestamp } from "./timestamp.ts";

/** Larger than any M-Pesa balance; keeps cents arithmetic exact. */
const MAX_ABS_KES = 1e10;

/** A decimal (number or string) as integer cents, exactly: `-1980.00` → -198000, `488.57` → 48857. */
export function centsOf(value: ParameterValue, where: string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || Math.abs(value) > MAX_ABS_KES)
      throw new ResultParseError(where, "is out of range");
    const cents = Math.round(value * 100);
    if (Math.abs(cents - value * 100) > 1e-3) throw new ResultParseError(where, "has more than two decimals");
    return cents;
  }
  const match = typeof value === "string" ? /^\s*(-?)(\d{1,11})(?:\.(\d{1,2}))?\s*$/.exec(value) : null;
  if (!match) throw new ResultParseError(where, "must be an amount");
  const [, sign, whole, fraction = ""] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  return sign === "-" ? -cents : cents;
}

/** Whole shillings (`10`, `"300"`, `1.00`); a fractional amount is refused, never rounded. */
export function wholeKesOf(value: ParameterValue, where: string): number {
  const cents = centsOf(value, where);
  if (cents % 100 !== 0) throw new ResultParseError(where, "is not a whole number of shillings");
  if (cents < 0) throw new ResultParseError(where, "is negative");
  return cents / 100;
}

/** A receipt that names a real transaction; null for the `XXX0000000` placeholder. */
export function receiptOf(value: ParameterValue, where: string): string | null {
  if (typeof value !== "string" || !isReceiptShaped(value.trim()))
    throw new ResultParseError(where, "is not an M-PESA receipt");
  const receipt = value.trim();
  return isPlaceholderReceipt(receipt) ? null : receipt;
}

export function textOf(value: ParameterValue, where: string): string {
  if (value === null) throw new ResultParseError(where, "has no value");
  return String(value).trim();
}

/** `"19.12.2019 11:45:50"` (EAT) → the instant. */
export function completedDateTimeOf(value: ParameterValue, where: string): Date {
  const m =
    typeof value === "string"
      ? /^\s*(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})\s*$/.exec(value)
      : null;
  const instant = m ? parseDarajaTimestamp(`${m[3]}${m[2]}${m[1]}${m[4]}${m[5]}${m[6]}`) : null;
  if (instant === null) throw new ResultParseError(where, "must be dd.MM.yyyy HH:mm:ss");
  return instant;
}

/** `20211114132711` (number or string, EAT) → the instant. */
export function timestampOf(value: ParameterValue, where: string): Date {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  const instant = typeof text === "string" ? parseDarajaTimestamp(text.trim()) : null;
  if (instant === null) throw new ResultParseError(where, "must be YYYYMMDDHHmmss");
  return instant;
}

/** A party as M-Pesa names it: `"254708374149 - JOHN DOE"`, `"0722000000 - JANE"`, `"600992 - Safaricom Daraja 992"`. */
export interface PartyName {
  /** As received. */
  raw: string;
  /** The part before " - " (a number, maybe masked). */
  identifier: string;
  name: string | null;
  /** The canonical MSISDN when the identifier is a Kenyan mobile number, else null. */
  msisdn: string | null;
}

export function partyOf(value: ParameterValue, where: string): PartyName {
  const raw = textOf(value, where);
  if (raw === "" || raw.length > 200) throw new ResultParseError(where, "is not a party name");
  const dash = raw.indexOf(" - ");
  const identifier = (dash < 0 ? raw : raw.slice(0, dash)).trim();
  const name = dash < 0 ? null : raw.slice(dash + 3).trim() || null;
  return { raw, identifier, name, msisdn: normalizeMsisdn(identifier) };
}

/** One account of a balance string: `Working Account|KES|700000.00|700000.00|0.00|0.00`. */
export interface AccountBalanceLine {
  /** `Working Account`, `Utility Account`, `Charges Paid Account`, … */
  name: string;
  currency: string;
  currentCents: number;
  availableCents: number;
  reservedCents: number;
  unclearedCents: number;
}

export function accountBalanceLineOf(line: string, where: string): AccountBalanceLine {
  const parts = line.split("|").map((p) => p.trim());
  if (parts.length !== 6 || parts[0] === "" || !/^[A-Z]{3}$/.test(parts[1] ?? ""))
    throw new ResultParseError(where, "must be Name|Currency|current|available|reserved|uncleared");
  const [name, currency, current, available, reserved, uncleared] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    name,
    currency,
    currentCents: centsOf(current, where),
    availableCents: centsOf(available, where),
    reservedCents: centsOf(reserved, where),
    unclearedCents: centsOf(uncleared, where),
  };
}

/** `A|KES|…&B|KES|…` → its accounts, in the order given. */
export function accountBalancesOf(value: ParameterValue, where: string): AccountBalanceLine[] {
  const text = textOf(value, where);
  if (text === "") throw new ResultParseError(where, "is empty");
  const lines = text.split("&");
  if (lines.length > 20) throw new ResultParseError(where, "has too many accounts");
  return lines.map((line, index) => accountBalanceLineOf(line, `${where}[${index}]`));
}
