import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classifyResultCode,
  KNOWN_RESULT_CODES,
  normalizeResultCode,
} from "../../../src/daraja/result-codes.ts";

describe("classifyResultCode", () => {
  it("0 is paid, whether a number or a string", () => {
    expect(classifyResultCode(0)).toEqual({ outcome: "paid", code: "0" });
    expect(classifyResultCode("0")).toEqual({ outcome: "paid", code: "0" });
    expect(classifyResultCode(" 0 ")).toEqual({ outcome: "paid", code: "0" });
  });

  it("4999 is not final (query: still under processing)", () => {
    expect(classifyResultCode("4999")).toEqual({ outcome: "not_final", code: "4999" });
    expect(classifyResultCode(4999)).toEqual({ outcome: "not_final", code: "4999" });
  });

  it.each([
    [1, "insufficient_funds", true],
    [2, "amount_below_minimum", false],
    [3, "amount_above_maximum", false],
    [4, "daily_limit_exceeded", false],
    [8, "receiver_balance_limit", false],
    [17, "duplicate_too_soon", true],
    [26, "system_busy", true],
    [1001, "subscriber_busy", true],
    [1019, "expired", true],
    [1025, "push_failed", true],
    [1031, "cancelled", true],
    [1032, "cancelled", true],
    [1036, "smsc_timeout", true],
    [1037, "no_response", true],
    [1101, "prompt_too_long", false],
    [1102, "prompt_too_long", false],
    [2001, "wrong_pin", true],
    [2008, "authentication_failed", true],
    [2026, "session_expired", true],
    [2028, "not_permitted", false],
    [8006, "pin_locked", false],
    [9999, "internal_error", true],
    ["SFC_IC0003", "operator_not_found", false],
    ["E3008", "bad_debt", false],
  ] as const)("%s → failed/%s (canRetry %s)", (code, reason, canRetry) => {
    const result = classifyResultCode(code);
    expect(result).toMatchObject({ outcome: "failed", code: String(code), reason, canRetry });
    if (result.outcome !== "failed") throw new Error("unreachable");
    expect(result.customerMessage.length).toBeGreaterThan(5);
    expect(result.customerMessage.length).toBeLessThan(90);
    expect(result.customerMessage).not.toMatch(/\d{3,}|undefined/);
  });

  it("knows exactly the documented codes", () => {
    expect([...KNOWN_RESULT_CODES].sort()).toEqual(
      [
        "0",
        "1",
        "2",
        "3",
        "4",
        "8",
        "17",
        "26",
        "1001",
        "1019",
        "1025",
        "1031",
        "1032",
        "1036",
        "1037",
        "1101",
        "1102",
        "2001",
        "2008",
        "2026",
        "2028",
        "4999",
        "8006",
        "9999",
        "SFC_IC0003",
        "E3008",
      ].sort(),
    );
  });

  it("an unknown code is never paid: it is 'unknown', to be asked about again", () => {
    expect(classifyResultCode(5)).toEqual({ outcome: "unknown", code: "5" });
    expect(classifyResultCode("00")).toEqual({ outcome: "unknown", code: "00" });
    expect(classifyResultCode("R000002")).toEqual({ outcome: "unknown", code: "R000002" });
    expect(classifyResultCode("")).toEqual({ outcome: "unknown", code: "" });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer().map(String)), (code) => {
        fc.pre(!(KNOWN_RESULT_CODES as readonly string[]).includes(code.trim()));
        expect(classifyResultCode(code).outcome).toBe("unknown");
      }),
    );
  });

  it("does not treat inherited object keys as codes", () => {
    expect(classifyResultCode("constructor").outcome).toBe("unknown");
    expect(classifyResultCode("__proto__").outcome).toBe("unknown");
  });

  it("normalises numbers and padded strings the same way", () => {
    expect(normalizeResultCode(1032)).toBe("1032");
    expect(normalizeResultCode(" 1032\n")).toBe("1032");
  });
});
