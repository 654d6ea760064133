import { describe, expect, it } from "vitest";
import {
  accessToken,
  CHECKOUT_REQUEST_ID_PATTERN,
  checkoutRequestId,
  createRequestIdFactory,
  mpesaReceiptNumber,
  RECEIPT_PATTERN,
  REQUEST_ID_PATTERN,
} from "../../../src/emulator/identifiers.ts";
import { createRandom } from "../../../src/emulator/random.ts";

describe("requestId / MerchantRequestID", () => {
  it("matches the 2024+ samples' shape", () => {
    for (const sample of [
      "2ba8-4165-beca-292db11f9ef8358609",
      "6e86-45dd-91ac-fd5d4178ab523792718",
      "2654-4b64-97ff-b827b542881d3130",
      "c0d2-4b9a-a71a-12bae346ef6e2521532",
    ])
      expect(sample).toMatch(REQUEST_ID_PATTERN);
  });

  it("generates that shape: one node prefix, an increasing counter", () => {
    const ids = createRequestIdFactory(createRandom("seed", "ids"));
    const first = ids.next();
    const second = ids.next();
    expect(first).toMatch(REQUEST_ID_PATTERN);
    expect(second).toMatch(REQUEST_ID_PATTERN);
    expect(second.slice(0, 27)).toBe(first.slice(0, 27));
    expect(Number(second.slice(27))).toBe(Number(first.slice(27)) + 1);
  });

  it("is reproducible from a seed and differs between seeds", () => {
    const a = createRequestIdFactory(createRandom("one", "ids")).next();
    expect(createRequestIdFactory(createRandom("one", "ids")).next()).toBe(a);
    expect(createRequestIdFactory(createRandom("two", "ids")).next()).not.toBe(a);
  });
});

describe("CheckoutRequestID", () => {
  it("is ws_CO_ + DDMMYYYYHHmmss in EAT + milliseconds + the 9 national digits", () => {
    // 2022-12-15T21:17:07.470Z is 00:17:07 on 16 Dec in Nairobi — the 2022 sample's own id.
    expect(checkoutRequestId(new Date("2022-12-15T21:17:07.470Z"), "254708374149")).toBe(
      "ws_CO_16122022001707470708374149",
    );
    expect(checkoutRequestId(new Date("2026-01-07T00:05:03.004Z"), "254115726301")).toBe(
      "ws_CO_07012026030503004115726301",
    );
    expect("ws_CO_16122022001707470708374149").toMatch(CHECKOUT_REQUEST_ID_PATTERN);
  });
});

describe("M-PESA receipt numbers", () => {
  it.each<[string, string]>([
    ["2019-12-19T07:21:15Z", "NLJ"],
    ["2026-01-07T01:17:26Z", "UA7"],
    ["2024-06-05T08:24:42Z", "SF5"],
    ["2023-07-19T15:42:07Z", "RGJ"],
    ["2024-02-24T22:07:52Z", "SBP"], // 01:07 on 25 Feb in Nairobi: the date is EAT's
  ])("encode the EAT date of %s as %s", (iso, prefix) => {
    const receipt = mpesaReceiptNumber(new Date(iso), createRandom("r"));
    expect(receipt.slice(0, 3)).toBe(prefix);
    expect(receipt).toMatch(RECEIPT_PATTERN);
  });

  it("are 10 upper-case alphanumerics and rarely repeat", () => {
    const random = createRandom("many");
    const receipts = new Set<string>();
    for (let i = 0; i < 1000; i++) receipts.add(mpesaReceiptNumber(new Date("2026-01-15T09:00:00Z"), random));
    expect(receipts.size).toBe(1000);
    for (const r of receipts) expect(r).toMatch(/^[A-Z0-9]{10}$/);
  });
});

describe("access tokens", () => {
  it("are 28 alphanumerics, like Daraja's", () => {
    const token = accessToken();
    expect(token).toMatch(/^[A-Za-z0-9]{28}$/);
    expect(accessToken()).not.toBe(token);
  });
});
