/**
 * A customer's side of a booking after payment, in Chromium on a 360 px phone, against the real API
 * and the emulator: cancelling (what happens to the fee is said before they confirm: nothing to
 * refund, or the paid fee reversed to their number), the refund on the booking page and in their
 * refunds, and the booking page following assignment, completion, release and the refund's arrival
 * by itself (its clock fast-forwarded past the polls). Nothing submits money out on this branch, so a
 * refund is settled here through the one apply path, as Daraja's confirmed result would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Booking } from "../../src/bookings/booking.ts";
import { bearer, createBooking, type RegisteredUser, registerUser } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { logIn, payByApi, screenshot, startWebStack, type WebStack } from "../support/browser.ts";
import { settleMoneyOut } from "../support/escrow.ts";
import { expectPageSound } from "../support/page-checks.ts";

let stack: WebStack;
let customer: RegisteredUser;
let tech: RegisteredUser;

beforeAll(async () => {
  stack = await startWebStack({ emulator: { timeScale: 0.25, seed: "web-customer-escrow" } });
  customer = await registerUser(stack.t.app, { name: "Amina Njeri", phoneNumber: "254708374149" });
  tech = await registerUser(stack.t.app, { role: "technician", phoneNumber: "254799000123" });
});

afterAll(async () => {
  if (stack) await assertBooksBalanced(stack.t.db.db.kysely);
  await stack?.close();
});

async function paidBooking(service: string): Promise<Booking> {
  const booking = await createBooking(stack.t.app, customer.token, { service });
  expect(await payByApi(stack.t.app, customer.token, booking.id, "254708374149")).toBe("completed");
  return read(booking.id);
}

async function read(id: string): Promise<Booking> {
  const res = await stack.t.app.inject({
    method: "GET",
    url: `/api/v1/bookings/${id}`,
    headers: bearer(customer.token),
  });
  return res.json().data.booking as Booking;
}

async function asTechnician(action: "accept" | "complete", id: string): Promise<void> {
  const res = await stack.t.app.inject({
    method: "POST",
    url: `/api/v1/bookings/${id}/${action}`,
    headers: bearer(tech.token),
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe("a customer cancelling", () => {
  it("an unpaid booking is told there is nothing to refund; a reason is asked; Escape keeps the booking", async () => {
    const booking = await createBooking(stack.t.app, customer.token, { service: "Painting" });
    await stack.withPage("web-customer-cancel-unpaid", async (w) => {
      const { page } = w;
      await logIn(w, customer.user.email, customer.password, "Your bookings");
      await page.goto(`/bookings/${booking.id}`);
      await page.getByRole("button", { name: "Cancel booking" }).click();
      const dialog = page.getByTestId("cancel-modal");
      await dialog.waitFor();
      expect(await page.getByTestId("cancel-fee-outcome").textContent()).toBe(
        "The booking fee has not been paid, so there is nothing to refund.",
      );
      // The reason is asked for first; Escape leaves everything as it was.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("cancel-reason");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      expect(await page.getByTestId("booking-status").textContent()).toContain("Waiting for booking fee");

      await page.getByRole("button", { name: "Cancel booking" }).click();
      await dialog.getByRole("button", { name: "Cancel booking" }).click();
      await page.getByText("Say why, in a few words.").waitFor();
      await expectPageSound(page, "cancel dialog, reason missing");
      await screenshot(page, "web-customer-cancel-unpaid-dialog");
      await page.getByLabel("Why are you cancelling?").fill("Found someone nearer");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await dialog.waitFor({ state: "detached" });
      await page.getByTestId("toast").filter({ hasText: "Nothing was paid" }).waitFor();
      await page.getByTestId("booking-status").filter({ hasText: "Cancelled" }).waitFor();
      await page.getByText("Found someone nearer").waitFor();
      expect(await page.getByRole("button", { name: "Pay booking fee with M-Pesa" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "Cancel booking" }).count()).toBe(0);
      await expectPageSound(page, "booking cancelled unpaid");
    });
    expect((await read(booking.id)).status).toBe("cancelled");
  });

  it("a paid booking is told first the fee is reversed to their number; the refund then shows and arrives", async () => {
    const booking = await paidBooking("Plumbing");
    const receipt = booking.payments?.[0]?.mpesaReceiptNumber;
    expect(receipt).toMatch(/^[A-Z0-9]{10}$/);
    await stack.withPage("web-customer-cancel-paid", async (w) => {
      const { page } = w;
      await page.clock.install();
      await logIn(w, customer.user.email, customer.password, "Your bookings");
      await page.goto(`/bookings/${booking.id}`);
      await page.getByRole("button", { name: "Cancel booking" }).click();
      expect(await page.getByTestId("cancel-fee-outcome").textContent()).toBe(
        `The booking fee of KES 500 is refunded to your M-Pesa number 0708 374 149 by reversing the payment (receipt ${receipt}). It usually arrives within minutes.`,
      );
      await screenshot(page, "web-customer-cancel-paid-dialog");
      await page.getByLabel("Why are you cancelling?").fill("The leak fixed itself");
      await page.getByTestId("cancel-modal").getByRole("button", { name: "Cancel booking" }).click();
      await page.getByTestId("toast").filter({ hasText: "KES 500 is being refunded" }).waitFor();
      await page.getByTestId("fee-status").filter({ hasText: "Refunded" }).waitFor();
      await page.getByTestId("refund-status").filter({ hasText: "Queued to send" }).waitFor();
      await page
        .getByText("KES 500 is being refunded to your M-Pesa 0708 374 149 by reversing the payment.")
        .waitFor();
      await expectPageSound(page, "booking with refund queued");
      await screenshot(page, "web-customer-refund-queued");

      // Money reaches the customer: the page, polling while the refund moves, shows it arrive.
      const { refund } = await read(booking.id);
      if (!refund) throw new Error("no refund on the booking");
      await settleMoneyOut(stack.t, { kind: "refund", id: refund.id });
      await page.clock.fastForward(11_000);
      await page.getByTestId("refund-status").filter({ hasText: "Refunded" }).waitFor();
      await page.getByText("KES 500 was refunded to your M-Pesa 0708 374 149.").waitFor();
      await page.getByText(/M-Pesa receipt SH\d{8}/).waitFor();

      await page.getByRole("link", { name: "Refunds" }).click();
      await page.getByRole("heading", { name: "Refunds", level: 1 }).waitFor();
      const row = page.getByTestId("refunds").locator("tbody tr").first();
      await row.waitFor();
      expect(await row.getAttribute("data-status")).toBe("succeeded");
      const text = (await row.textContent()) ?? "";
      for (const part of ["Refunded", "KES 500", "0708 374 149", "The leak fixed itself"])
        expect(text).toContain(part);
      await page.getByLabel("Show").selectOption({ label: "Queued to send" });
      await page.waitForURL(/status=queued/);
      await page.getByText("No refunds with this status yet.").waitFor();
      await expectPageSound(page, "refunds");
      await screenshot(page, "web-customer-refunds");
    });
  });
});

describe("a customer watching a paid booking", () => {
  it("sees it assigned, completed and the fee released without reloading; once assigned only support can cancel", async () => {
    const booking = await paidBooking("Appliance repair");
    await stack.withPage("web-customer-booking-live", async (w) => {
      const { page } = w;
      await page.clock.install();
      await logIn(w, customer.user.email, customer.password, "Your bookings");
      await page.goto(`/bookings/${booking.id}`);
      await page.getByTestId("booking-status").filter({ hasText: "Finding a technician" }).waitFor();
      await page.getByRole("button", { name: "Cancel booking" }).waitFor();

      await asTechnician("accept", booking.id);
      await page.clock.fastForward(11_000);
      await page.getByTestId("booking-status").filter({ hasText: "Technician assigned" }).waitFor();
      expect(await page.getByTestId("cancel-unavailable").textContent()).toContain(
        "only Malipo's support team can cancel this booking now",
      );
      expect(await page.getByRole("button", { name: "Cancel booking" }).count()).toBe(0);
      await expectPageSound(page, "booking assigned");

      await asTechnician("complete", booking.id);
      await page.clock.fastForward(11_000);
      await page.getByTestId("fee-status").filter({ hasText: "Released to technician" }).waitFor();
      await page.getByTestId("booking-status").filter({ hasText: "Completed" }).waitFor();
      await page.getByTestId("payout-status").filter({ hasText: "Queued to send" }).waitFor();
      // The technician's number is theirs: the customer sees it masked.
      await page.getByText("KES 450 is queued to be sent to 2547****0123.").waitFor();
      expect(await page.getByTestId("cancel-unavailable").count()).toBe(0);
      await expectPageSound(page, "booking completed");
      await screenshot(page, "web-customer-booking-released");
    });
  });
});
