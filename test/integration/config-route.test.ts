import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.ts";

describe("GET /api/v1/config", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      config: {
        BOOKING_FEE_KES: "750",
        MPESA_EMULATOR_PORT: "4567",
        PLATFORM_COMMISSION_PERCENT: "15",
        PAYOUT_APPROVAL: "admin",
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("tells the web app the environment, the fee, its split and where the simulated phone is", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/config" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      success: true,
      data: {
        mpesaEnvironment: "emulator",
        emulatorPhoneUrlTemplate: "http://127.0.0.1:4567/__emulator/phone/{msisdn}",
        bookingFeeKes: 750,
        currency: "KES",
        commissionPercent: 15,
        payoutApproval: "admin",
      },
    });
  });
});
