import { describe, expect, it } from "vitest";
import { toBooking, toPaymentAttempt } from "../../../src/bookings/booking.ts";

const row = {
  id: "bkg_1",
  customer_id: "usr_1",
  technician_id: null,
  service: "Plumbing",
  description: null,
  location: "Kilimani",
  scheduled_for: null,
  status: "pending_payment" as const,
  cancel_reason: null,
  created_at: "2026-01-15T09:00:00.000Z",
  updated_at: "2026-01-15T09:00:00.000Z",
};

const attempt = {
  id: "pay_1",
  status: "failed" as const,
  amount: 500,
  phone_number: "254712345678",
  mpesa_receipt_number: null,
  result_code: "1032",
  result_desc: "Request cancelled by user",
  failure_reason: "cancelled",
  created_at: "2026-01-15T09:01:00.000Z",
  completed_at: null,
};

describe("booking views", () => {
  it("shows the booking with its fee in KES", () => {
    expect(toBooking(row, { amount: 500, status: "pending" })).toEqual({
      id: "bkg_1",
      service: "Plumbing",
      description: null,
      location: "Kilimani",
      scheduledFor: null,
      status: "pending_payment",
      customerId: "usr_1",
      technicianId: null,
      cancelReason: null,
      createdAt: "2026-01-15T09:00:00.000Z",
      updatedAt: "2026-01-15T09:00:00.000Z",
      bookingFee: { amount: 500, currency: "KES", status: "pending" },
    });
  });

  it("shows the paying phone in full to the customer and masked to anyone else", () => {
    expect(toPaymentAttempt(attempt, true).phoneNumber).toBe("254712345678");
    expect(toPaymentAttempt(attempt, false).phoneNumber).toBe("2547****5678");
    expect(toPaymentAttempt(attempt, false)).toMatchObject({
      id: "pay_1",
      currency: "KES",
      resultCode: "1032",
      failureReason: "cancelled",
    });
  });
});
