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
