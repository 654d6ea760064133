import { describe, expect, it } from "vitest";
import { checkPhone } from "../../../web/src/lib/phone.ts";

describe("checkPhone", () => {
  it.each([
    ["0712345678", "254712345678"],
    ["0712 345 678", "254712345678"],
    ["0712-345-678", "254712345678"],
    ["712345678", "254712345678"],
    ["+254712345678", "254712345678"],
    ["254 712 345 678", "254712345678"],
    ["0110345678", "254110345678"],
    ["+254 110-345-678", "254110345678"],
  ])("accepts %s as %s", (input, msisdn) => {
    expect(checkPhone(input)).toEqual({ ok: true, msisdn });
  });

  it.each([
    ["", /Enter the M-Pesa number/],
    ["   ", /Enter the M-Pesa number/],
    ["07l2345678", /digits only/],
    ["0712.345.678", /digits only/],
    ["+1 212 555 0100", /Only Kenyan numbers/],
    ["071234567", /too short/],
    ["07123456789", /too long/],
    ["0212345678", /start with 07 or 01/],
    ["254812345678", /start with 07 or 01/],
  ])("explains what is wrong with %j", (input, problem) => {
    const check = checkPhone(input);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problem).toMatch(problem);
  });
});
