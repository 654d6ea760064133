import { describe, expect, it } from "vitest";
import { createWindowCounter } from "../../../src/payments/window-counter.ts";

const at = (ms: number) => new Date(Date.UTC(2026, 0, 15) + ms);

describe("createWindowCounter", () => {
  it("allows `limit` events per key per window, then refuses until the window ends", () => {
    const counter = createWindowCounter(60_000);
    expect([1, 2, 3, 4].map((i) => counter.take("a", at(i), 3))).toEqual([true, true, true, false]);
    expect(counter.take("b", at(5), 3)).toBe(true);
    expect(counter.take("a", at(59_999), 3)).toBe(false);
    expect(counter.take("a", at(60_001), 3)).toBe(true);
  });

  it("past maxKeys addresses in one window, new ones share one count (memory stays bounded)", () => {
    const counter = createWindowCounter(60_000, 2);
    expect(counter.take("a", at(0), 1)).toBe(true);
    expect(counter.take("b", at(0), 1)).toBe(true);
    expect(counter.take("c", at(0), 1)).toBe(true);
    expect(counter.take("d", at(0), 1)).toBe(false);
    // Once old windows end, their room is reused.
    expect(counter.take("e", at(60_000), 1)).toBe(true);
  });
});
