/**
 * The M-Pesa phone field: what customers type (07…, 01…, 7…, +254…, 254…, with spaces or dashes)
 * checked before anything is sent, with a plain explanation of what is wrong. The rule itself is
 * the server's own `normalizeMsisdn`, so the two can never disagree.
 */
import { type Msisdn, normalizeMsisdn } from "../../../src/daraja/phone.ts";

export type PhoneCheck = { ok: true; msisdn: Msisdn } | { ok: false; problem: string };

export function checkPhone(input: string): PhoneCheck {
  const msisdn = normalizeMsisdn(input);
  if (msisdn) return { ok: true, msisdn };
  return { ok: false, problem: describePhoneProblem(input) };
}

function describePhoneProblem(input: string): string {
  const compact = input.trim().replace(/[\s-]/g, "");
  if (compact === "") return "Enter the M-Pesa number to pay from, for example 0712 345 678.";
  if (!/^\+?\d+$/.test(compact)) return "Use digits only; spaces and dashes are fine.";
  const national = compact.replace(/^\+?254/, "").replace(/^0/, "");
  if (compact.startsWith("+") && !compact.startsWith("+254"))
    return "Only Kenyan numbers (+254) can pay with M-Pesa here.";
  if (national.length < 9)
    return "This number is too short: a Kenyan mobile number has 10 digits, like 0712 345 678.";
  if (national.length > 9)
    return "This number is too long: a Kenyan mobile number has 10 digits, like 0712 345 678.";
  return "Kenyan mobile numbers start with 07 or 01 (or +254 7… / +254 1…).";
}
