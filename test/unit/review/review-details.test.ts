import { describe, expect, it } from "vitest";
import { reviewDetailsView } from "../../../src/review/review.service.ts";

describe("a review item's details as an admin sees them", () => {
  it("masks phone numbers, as text or as a number, and keeps everything else", () => {
    const stored = JSON.stringify({
      phoneNumber: "254712345678",
      payer: 254111222333,
      amount: 500,
      accountReference: "BK-ABC123",
      pushedAt: "2026-12-01T10:00:00.000Z",
    });
    expect(reviewDetailsView(stored)).toEqual({
      phoneNumber: "2547****5678",
      payer: "2541****2333",
      amount: 500,
      accountReference: "BK-ABC123",
      pushedAt: "2026-12-01T10:00:00.000Z",
    });
  });

  it("shows nothing of details that are not an object", () => {
    for (const text of ["not json", "[1,2]", "null", "42"]) expect(reviewDetailsView(text)).toEqual({});
  });
});
