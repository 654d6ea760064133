import { describe, expect, it } from "vitest";
import { niceCeiling, shortNumber, ticks } from "../../../web/src/lib/chart-scale.ts";
import { emulatorPhoneUrl } from "../../../web/src/lib/emulator-link.ts";
import { formatKes, formatMsisdn, formatPercent, formatSeconds } from "../../../web/src/lib/format.ts";
import { matchPath } from "../../../web/src/lib/route-match.ts";

describe("matchPath", () => {
  it("matches literal and parameter segments", () => {
    expect(matchPath("/bookings/:id", "/bookings/bk_1")).toEqual({ id: "bk_1" });
    expect(matchPath("/bookings/:id", "/bookings/bk%201/")).toEqual({ id: "bk 1" });
    expect(matchPath("/bookings/new", "/bookings/new")).toEqual({});
  });

  it("refuses paths of another shape", () => {
    expect(matchPath("/bookings/:id", "/bookings")).toBeNull();
    expect(matchPath("/bookings/:id", "/bookings/a/b")).toBeNull();
    expect(matchPath("/bookings/:id", "/payments/a")).toBeNull();
    expect(matchPath("/bookings/:id", "/bookings/%E0%A4%A")).toBeNull();
  });
});

describe("chart scale", () => {
  it.each([
    [0, 1],
    [-5, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [180, 200],
    [2_100, 2_500],
    [4_999, 5_000],
  ])("niceCeiling(%d) = %d", (value, nice) => {
    expect(niceCeiling(value)).toBe(nice);
  });

  it("spreads ticks from zero to the maximum", () => {
    expect(ticks(2_000)).toEqual([0, 500, 1_000, 1_500, 2_000]);
  });

  it("shortens big numbers", () => {
    expect([shortNumber(500), shortNumber(1_500), shortNumber(2_000), shortNumber(2_500_000)]).toEqual([
      "500",
      "1.5k",
      "2k",
      "2.5M",
    ]);
  });
});

describe("formatting", () => {
  it("formats money, percentages, durations and numbers", () => {
    expect(formatKes(1500)).toBe("KES 1,500");
    expect(formatPercent(0.8333)).toBe("83.3%");
    expect(formatPercent(null)).toBe("—");
    expect(formatSeconds(4.25)).toBe("4.3 s");
    expect(formatSeconds(42)).toBe("42 s");
    expect(formatSeconds(125)).toBe("2 min 5 s");
    expect(formatSeconds(null)).toBe("—");
    expect(formatMsisdn("254708374149")).toBe("0708 374 149");
    expect(formatMsisdn("2547****4149")).toBe("2547****4149");
  });
});

describe("emulatorPhoneUrl", () => {
  const template = "http://127.0.0.1:3001/__emulator/phone/{msisdn}";

  it("fills the template in emulator mode", () => {
    expect(
      emulatorPhoneUrl({ mpesaEnvironment: "emulator", emulatorPhoneUrlTemplate: template }, "254708374149"),
    ).toBe("http://127.0.0.1:3001/__emulator/phone/254708374149");
  });

  it("has no link without config, outside emulator mode, or without a template", () => {
    expect(emulatorPhoneUrl(null, "254708374149")).toBeNull();
    expect(
      emulatorPhoneUrl({ mpesaEnvironment: "sandbox", emulatorPhoneUrlTemplate: template }, "254708374149"),
    ).toBeNull();
    expect(
      emulatorPhoneUrl({ mpesaEnvironment: "emulator", emulatorPhoneUrlTemplate: null }, "254708374149"),
    ).toBeNull();
  });
});
