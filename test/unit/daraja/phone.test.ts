import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { couldBeMsisdn, isCanonicalMsisdn, maskMsisdn, normalizeMsisdn } from "../../../src/daraja/phone.ts";

/** The 9 national digits of a Kenyan mobile number: 7XXXXXXXX or 1XXXXXXXX. */
const national = fc
  .tuple(fc.constantFrom("7", "1"), fc.stringMatching(/^\d{8}$/))
  .map(([first, rest]) => first + rest);

const prefix = fc.constantFrom("0", "", "+254", "254");
const separator = fc.constantFrom("", "", " ", "-", "  ", " - ");

/** Writes `digits` the way people type them: spaces or dashes between any characters. */
function typed(digits: string, seps: string[], lead: string, trail: string): string {
  let out = lead;
  [...digits].forEach((ch, i) => {
    out += ch + (i < digits.length - 1 ? (seps[i] ?? "") : "");
  });
  return out + trail;
}

const spelledOut = (text: fc.Arbitrary<string>) =>
  text.chain((digits) =>
    fc
      .tuple(
        fc.array(separator, { minLength: digits.length, maxLength: digits.length }),
        fc.constantFrom("", " ", "  "),
        fc.constantFrom("", " ", "\t"),
      )
      .map(([seps, lead, trail]) => typed(digits, seps, lead, trail)),
  );

describe("normalizeMsisdn", () => {
  it("accepts 07…, 01…, 7…, 1…, +254…, 254… with spaces or dashes and returns 254 + the 9 national digits", () => {
    fc.assert(
      fc.property(
        national.chain((nat) =>
          prefix.chain((pre) => spelledOut(fc.constant(pre + nat)).map((s) => [nat, s] as const)),
        ),
        ([nat, written]) => {
          expect(normalizeMsisdn(written)).toBe(`254${nat}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ["0712345678", "254712345678"],
    ["0112345678", "254112345678"],
    ["712345678", "254712345678"],
    ["112345678", "254112345678"],
    ["+254712345678", "254712345678"],
    ["254712345678", "254712345678"],
    ["0712 345 678", "254712345678"],
    ["+254-712-345-678", "254712345678"],
    ["  254 708 374 149 ", "254708374149"],
  ])("%j → %s", (input, expected) => {
    expect(normalizeMsisdn(input)).toBe(expected);
  });

  it("accepts the same numbers as JSON numbers (Daraja sends PhoneNumber as a number)", () => {
    expect(normalizeMsisdn(254708374149)).toBe("254708374149");
    expect(normalizeMsisdn(712345678)).toBe("254712345678");
    expect(normalizeMsisdn(1.5)).toBeNull();
    expect(normalizeMsisdn(-712345678)).toBeNull();
  });

  it("refuses national numbers of the wrong length", () => {
    const wrongLength = fc
      .tuple(
        fc.constantFrom("7", "1"),
        fc.integer({ min: 0, max: 14 }).filter((n) => n !== 8),
      )
      .chain(([first, n]) => fc.stringMatching(new RegExp(`^\\d{${n}}$`)).map((rest) => first + rest));
    fc.assert(
      fc.property(wrongLength, prefix, (nat, pre) => {
        expect(normalizeMsisdn(pre + nat)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("refuses other country codes", () => {
    const otherCode = fc
      .integer({ min: 1, max: 999 })
      .filter((n) => n !== 254)
      .map(String);
    fc.assert(
      fc.property(otherCode, national, fc.boolean(), (cc, nat, plus) => {
        expect(normalizeMsisdn(`${plus ? "+" : ""}${cc}${nat}`)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("refuses national numbers that do not start with 7 or 1", () => {
    const notMobile = fc
      .tuple(fc.constantFrom("0", "2", "3", "4", "5", "6", "8", "9"), fc.stringMatching(/^\d{8}$/))
      .map(([first, rest]) => first + rest);
    fc.assert(
      fc.property(notMobile, prefix, (nat, pre) => {
        expect(normalizeMsisdn(pre + nat)).toBeNull();
      }),
    );
  });

  it("refuses numbers containing letters or other symbols", () => {
    const junk = fc.constantFrom("a", "O", "x", ".", "/", "#", "(", "*", "٣");
    fc.assert(
      fc.property(national, prefix, junk, fc.nat(), (nat, pre, bad, at) => {
        const written = pre + nat;
        const i = at % (written.length + 1);
        expect(normalizeMsisdn(written.slice(0, i) + bad + written.slice(i))).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("never returns anything but a canonical number whose digits came from the input", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[+\d -]{0,20}$/)),
        (s) => {
          const result = normalizeMsisdn(s);
          if (result === null) return;
          expect(isCanonicalMsisdn(result)).toBe(true);
          expect(s.replace(/\D/g, "").endsWith(result.slice(3))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("refuses non-strings and non-numbers", () => {
    for (const value of [null, undefined, {}, [], true, Number.NaN, ""])
      expect(normalizeMsisdn(value)).toBeNull();
  });
});

describe("maskMsisdn", () => {
  it("keeps the first four and last four digits", () => {
    expect(maskMsisdn("254712345678")).toBe("2547****5678");
    expect(maskMsisdn("123")).toBe("****");
  });
});

describe("couldBeMsisdn", () => {
  const phone = "254708374149";

  it.each([
    "254708374149",
    "0708374149",
    "2547****4149",
    "2547 ***** 149",
    "2******9",
    "0708****49",
    "*4149",
  ])("%s could be 254708374149", (reported) => {
    expect(couldBeMsisdn(reported, phone)).toBe(true);
  });

  it("a number masked entirely shows nothing to contradict", () => {
    expect(couldBeMsisdn("****", phone)).toBe(true);
  });

  it.each(["254712345678", "2547****1234", "2541****4149", "2******8", "2547*4*149", "25470837414912**9"])(
    "%s cannot",
    (reported) => {
      expect(couldBeMsisdn(reported, phone)).toBe(false);
    },
  );

  it("a masked number never shows more digits than the number has", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), (lead, tail) => {
        const masked = `${phone.slice(0, lead)}***${tail === 0 ? "" : phone.slice(-tail)}`;
        expect(couldBeMsisdn(masked, phone)).toBe(lead + tail < phone.length);
      }),
    );
  });
});
