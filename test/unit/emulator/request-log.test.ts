import { describe, expect, it } from "vitest";
import { MAX_REQUESTS, RequestLog } from "../../../src/emulator/requests.ts";

const entry = (url: string) => ({
  at: new Date(),
  method: "POST",
  url,
  status: 200,
  errorCode: null,
  requestId: null,
  checkoutRequestId: null,
  conversationId: null,
  body: null,
});

describe("the emulator's request log", () => {
  it("keeps the latest requests but counts every one per path, until reset", () => {
    const log = new RequestLog();
    for (let i = 0; i < MAX_REQUESTS + 5; i++) log.record(entry("/mpesa/stkpush/v1/processrequest"));
    log.record(entry("/oauth/v1/generate?grant_type=client_credentials"));
    expect(log.list()).toHaveLength(MAX_REQUESTS);
    expect(log.totals()).toEqual({
      "/mpesa/stkpush/v1/processrequest": MAX_REQUESTS + 5,
      "/oauth/v1/generate": 1,
    });
    log.clear();
    expect(log.list()).toHaveLength(0);
    expect(log.totals()).toEqual({});
  });
});
