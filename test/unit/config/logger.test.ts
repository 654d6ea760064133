import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, maskPhonesIn, redactUrl } from "../../../src/logger.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger("info", stream) };
}

describe("logger", () => {
  it("masks phone numbers in every form", () => {
    expect(maskPhonesIn("paid by 254708374149 and 0712345678 and +254112345678")).toBe(
      "paid by 2547****4149 and 0712****5678 and 2541****5678",
    );
    expect(maskPhonesIn("amount 500 order 12345678901234")).toBe("amount 500 order 12345678901234");
  });

  it("masks phones in messages and nested fields, numbers included, and redacts secrets", () => {
    const { lines, logger } = capture();
    logger.info(
      { phone: "254708374149", meta: { PhoneNumber: 254708374149 }, password: "hunter22", Password: "b64" },
      "push to 254708374149",
    );
    const out = lines.join("");
    expect(out).not.toContain("254708374149");
    expect(out).toContain("2547****4149");
    expect(out).not.toContain("hunter22");
    expect(out).not.toContain("b64");
    expect(out).toContain("[redacted]");
  });

  it("masks phones that reach the line by any other way: errors, bindings, keys, class instances", () => {
    const { lines, logger } = capture();
    class Payer {
      readonly phone: string;
      constructor(phone: string) {
        this.phone = phone;
      }
    }
    const err = new Error("Daraja refused 254708374149");
    logger.warn({ err }, "refused");
    logger.warn(err);
    logger.child({ payer: "0712345678" }).info("bound");
    logger.info({ byPhone: { "254712345678": 1 } }, "keyed");
    logger.info({ payer: new Payer("254112345678") }, "instance");
    logger.info({
      deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: "254708374149" } } } } } } } } } },
    });
    const out = lines.join("");
    for (const full of ["254708374149", "0712345678", "254712345678", "254112345678"])
      expect(out).not.toContain(full);
    // Every line still parses, and the values are masked rather than dropped.
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(out).toContain("2547****4149");
    expect(out).toContain("0712****5678");
  });

  it("leaves numbers and identifiers that only hold phone-shaped digits alone", () => {
    const { lines, logger } = capture();
    const reqId = "12abe3e4-5678-90c1-bc23-ae0712345678";
    logger.child({ reqId }).info({ responseTime: 1329.254172999994, time2: 1796138591281 }, "timing");
    const line = JSON.parse(lines[0] as string);
    expect(line.responseTime).toBe(1329.254172999994);
    expect(line.time2).toBe(1796138591281);
    expect(line.reqId).toBe(reqId);
  });

  it("hides tokens and signatures carried in URLs", () => {
    expect(redactUrl("/api/v1/payments/mpesa/status/pay_1/events?access_token=eyJhbGci.x.y&x=1")).toBe(
      "/api/v1/payments/mpesa/status/pay_1/events?access_token=[redacted]&x=1",
    );
    expect(redactUrl("/api/v1/payments/mpesa/callback?tx=pay_1&sig=abc_DEF-1")).toBe(
      "/api/v1/payments/mpesa/callback?tx=pay_1&sig=[redacted]",
    );
    const { lines, logger } = capture();
    logger.info({ req: { method: "GET", url: "/x?access_token=secret-token", ip: "127.0.0.1" } }, "incoming");
    expect(lines.join("")).not.toContain("secret-token");
  });
});
