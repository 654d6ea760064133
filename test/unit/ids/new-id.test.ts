import { describe, expect, it } from "vitest";
import { newId } from "../../../src/ids.ts";

describe("newId", () => {
  it("is the prefix, 10 characters of time and 16 random ones from the id alphabet", () => {
    expect(newId("pay", Date.UTC(2026, 11, 1))).toMatch(/^pay_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it("sorts by the millisecond it was made in", () => {
    const ids = [3, 1, 2].map((ms) => newId("evt", 1_780_000_000_000 + ms));
    expect([...ids].sort().map((id) => ids.indexOf(id))).toEqual([1, 2, 0]);
  });

  it("never repeats across many pool refills, and its random part uses the whole alphabet", () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    // 5,000 ids: the random pool is refilled about 20 times.
    for (let i = 0; i < 5000; i++) {
      const id = newId("x", 0);
      seen.add(id);
      for (const c of id.slice(12)) chars.add(c);
    }
    expect(seen.size).toBe(5000);
    expect(chars.size).toBe(32);
  });
});
