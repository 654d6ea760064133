import { describe, expect, it } from "vitest";
import type { DarajaOperation } from "../../../src/daraja/errors.ts";
import {
  DARAJA_OPERATIONS,
  mayActOnceSent,
  retriedAutomatically,
  settledBy,
} from "../../../src/daraja/operations.ts";

describe("the one table of Daraja operations", () => {
  it.each([
    ["token", true, false, null],
    ["stk_push", false, true, "stk_query"],
    ["stk_query", true, false, null],
    ["b2c_payment", false, true, "transaction_status"],
    ["reversal", false, true, "transaction_status"],
    ["transaction_status", true, false, null],
    ["account_balance", true, false, null],
  ] as const)("%s: retried %s, may act once sent %s, settled by %s", (operation, retried, acts, query) => {
    expect(retriedAutomatically(operation)).toBe(retried);
    expect(mayActOnceSent(operation)).toBe(acts);
    expect(settledBy(operation)).toBe(query);
  });

  it("lists every operation once, and B2C alone may be resent with the same id", () => {
    const names = Object.keys(DARAJA_OPERATIONS) as DarajaOperation[];
    expect(names).toHaveLength(7);
    expect(names.filter((n) => DARAJA_OPERATIONS[n].resend === "same_id")).toEqual(["b2c_payment"]);
  });
});
