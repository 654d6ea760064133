/**
 * An admin's side of money out, in Chromium (desktop and a 360 px phone), against the real API and
 * the emulator with PAYOUT_APPROVAL=admin: assigning a technician to an open booking (those without
 * an M-Pesa number cannot be chosen), completing and cancelling on a booking's page, approving the
 * payouts that wait, the refunds list, and the dashboard's money-out figures as the server computes
 * them. Nothing submits to Daraja on this branch: approved payouts stay queued, and the money that
 * "arrives" here is settled through the one apply path, as a confirmed result would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Booking } from "../../src/bookings/booking.ts";
import { bearer, createAdmin, createBooking, type RegisteredUser, registerUser } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import {
  DESKTOP_VIEWPORT,
  logIn,
  PHONE_VIEWPORT,
  payByApi,
  screenshot,
  startWebStack,
  type WebStack,
} from "../support/browser.ts";
import { settleMoneyOut } from "../support/escrow.ts";
import { expectPageSound } from "../support/page-checks.ts";

let stack: WebStack;
let customer: RegisteredUser;
let kamau: RegisteredUser;
let admin: RegisteredUser;

beforeAll(async () => {
  stack = await startWebStack({
    emulator: { timeScale: 0.25, seed: "web-admin-escrow" },
    config: { PAYOUT_APPROVAL: "admin" },
  });
  customer = await registerUser(stack.t.app, { name: "Amina Njeri", phoneNumber: "254708374149" });
  kamau = await registerUser(stack.t.app, {
    role: "technician",
    name: "Kamau Njoroge",
    phoneNumber: "254711000001",
  });
  await registerUser(stack.t.app, { role: "technician", name: "Achieng Odhiambo" });
  admin = await createAdmin(stack.t);
});

afterAll(async () => {
  if (stack) await assertBooksBalanced(stack.t.db.db.kysely);
  await stack?.close();
});

async function post(token: string, url: string, payload?: object) {
  const res = await stack.t.app.inject({
    method: "POST",
    url: `/api/v1${url}`,
    headers: bearer(token),
    ...(payload ? { payload } : {}),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.booking as Booking;
}

async function paidBooking(service: string): Promise<Booking> {
  const booking = await createBooking(stack.t.app, customer.token, { service });
  expect(await payByApi(stack.t.app, customer.token, booking.id, "254708374149")).toBe("completed");
  return booking;
}

describe("an admin", () => {
  it("assigns a technician to an open booking, completes it, and cancels an assigned one", async () => {
    const open = await paidBooking("Cleaning");
    const assigned = await paidBooking("Roof repair");
    await post(kamau.token, `/bookings/${assigned.id}/accept`);
    await stack.withPage(
      "web-admin-assign",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.getByRole("link", { name: "Bookings" }).click();
        await page.getByRole("heading", { name: "Bookings", level: 1 }).waitFor();
        const list = page.getByTestId("admin-bookings");
        await list.getByRole("link", { name: "Cleaning" }).waitFor();
        await page.getByRole("button", { name: "Assign a technician to Cleaning" }).click();
        const dialog = page.getByTestId("assign-modal");
        const choice = page.getByLabel("Technician", { exact: true });
        await choice.waitFor();
        // Without an M-Pesa number a technician cannot be chosen: their payout would have nowhere to go.
        const achieng = choice.locator("option", { hasText: "Achieng Odhiambo" });
        expect(await achieng.textContent()).toBe("Achieng Odhiambo — no M-Pesa number yet");
        expect(await achieng.isDisabled()).toBe(true);
        await dialog.getByRole("button", { name: "Assign" }).click();
        await page.getByText("Choose a technician.").waitFor();
        await expectPageSound(page, "assign dialog");
        await screenshot(page, "web-admin-assign-dialog");
        await choice.selectOption({ label: "Kamau Njoroge — 0711 000 001" });
        await dialog.getByRole("button", { name: "Assign" }).click();
        await dialog.waitFor({ state: "detached" });
        await page.getByTestId("toast").filter({ hasText: "Cleaning: technician assigned." }).waitFor();
        await list.getByRole("link", { name: "Cleaning" }).waitFor({ state: "detached" });

        await page.getByLabel("Show").selectOption({ label: "Technician assigned" });
        await page.waitForURL(/status=assigned/);
        await list.getByRole("link", { name: "Cleaning" }).click();
        await page.getByTestId("booking-status").filter({ hasText: "Technician assigned" }).waitFor();
        await page.getByRole("button", { name: "Mark job done" }).click();
        // The split is worded once the deployment's commission (GET /config) has arrived.
        await page.getByTestId("complete-split").filter({ hasText: "platform commission (" }).waitFor();
        expect(await page.getByTestId("complete-split").textContent()).toBe(
          "The booking fee of KES 500 is released: KES 50 platform commission (10%), and KES 450 paid to the technician's M-Pesa. An admin approves each payout before it is sent.",
        );
        await page.getByTestId("complete-modal").getByRole("button", { name: "Mark job done" }).click();
        await page.getByTestId("payout-status").filter({ hasText: "Waiting for approval" }).waitFor();
        await expectPageSound(page, "booking completed by admin");

        // Assigned, so its customer can no longer cancel it; an admin still can, and is told where the fee goes.
        await page.goto(`/bookings/${assigned.id}`);
        await page.getByRole("button", { name: "Cancel booking" }).click();
        expect(await page.getByTestId("cancel-fee-outcome").textContent()).toMatch(
          /^The booking fee of KES 500 is refunded to the customer's M-Pesa number 2547\*{4}4149 by reversing the payment \(receipt [A-Z0-9]{10}\)\./,
        );
        await page
          .getByLabel("Why are you cancelling?")
          .fill("Technician fell ill; customer asked to cancel");
        await page.getByTestId("cancel-modal").getByRole("button", { name: "Cancel booking" }).click();
        await page.getByTestId("refund-status").filter({ hasText: "Queued to send" }).waitFor();
        await page.getByTestId("booking-status").filter({ hasText: "Cancelled" }).waitFor();
      },
      { viewport: DESKTOP_VIEWPORT },
    );
    const booking = await stack.t.services.bookings.get({ id: admin.user.id, role: "admin" }, open.id);
    expect(booking).toMatchObject({ status: "completed", technicianId: kamau.user.id });
    expect(booking.payout).toMatchObject({ status: "queued", awaitingApproval: true });
  });

  it("approves a payout waiting for approval and lists the refunds, on a phone", async () => {
    const waiting = await paidBooking("Gate welding");
    await post(kamau.token, `/bookings/${waiting.id}/accept`);
    await post(kamau.token, `/bookings/${waiting.id}/complete`);
    await stack.withPage("web-admin-approve", async (w) => {
      const { page } = w;
      await logIn(w, admin.user.email, admin.password, "Payments dashboard");
      await page.goto("/payouts?status=queued");
      await page.getByTestId("approval-on").waitFor();
      const rows = page.getByTestId("payouts").locator("tbody tr");
      await rows.first().waitFor();
      expect(await rows.count()).toBeGreaterThanOrEqual(2);
      expect(await rows.first().textContent()).toContain("Waiting for approval");
      await expectPageSound(page, "payouts waiting");
      await screenshot(page, "web-admin-payouts-waiting");

      const before = await page.getByRole("button", { name: /^Approve payout of KES 450/ }).count();
      await page
        .getByRole("button", { name: /^Approve payout of KES 450/ })
        .first()
        .click();
      const dialog = page.getByTestId("approve-modal");
      await dialog.getByText("An admin approves each payout before it is sent.").waitFor();
      await dialog.getByRole("button", { name: "Approve payout" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByTestId("toast").filter({ hasText: "approved: it is sent to M-Pesa next" }).waitFor();
      await expect
        .poll(() => page.getByRole("button", { name: /^Approve payout of KES 450/ }).count())
        .toBe(before - 1);
      await page.locator("tbody tr", { hasText: "Queued to send" }).first().waitFor();

      await page.getByRole("link", { name: "Refunds" }).click();
      await page.getByRole("heading", { name: "Refunds", level: 1 }).waitFor();
      const refund = page.getByTestId("refunds").locator("tbody tr").first();
      await refund.waitFor();
      expect(await refund.textContent()).toContain("Technician fell ill");
      await expectPageSound(page, "admin refunds");
      await screenshot(page, "web-admin-refunds");

      await page.getByRole("link", { name: "Bookings" }).click();
      await page.getByLabel("Show").selectOption({ label: "Completed" });
      await page.getByTestId("admin-bookings").getByRole("link", { name: "Gate welding" }).waitFor();
      await expectPageSound(page, "admin bookings");
      await screenshot(page, "web-admin-bookings-phone");
    });
  });

  it("sees paid out, refunded, commission and what is owed on the dashboard, as the server computes them", async () => {
    const payouts = await stack.t.services.payouts.listPayouts(
      { id: admin.user.id, role: "admin" },
      { page: 1, limit: 100, status: "queued" },
    );
    const approved = payouts.items.find((p) => !p.awaitingApproval);
    const refunds = await stack.t.services.payouts.listRefunds(
      { id: admin.user.id, role: "admin" },
      { page: 1, limit: 100 },
    );
    if (!approved || !refunds.items[0])
      throw new Error("the earlier tests left no approved payout or refund");
    await settleMoneyOut(stack.t, { kind: "payout", id: approved.id });
    await settleMoneyOut(stack.t, { kind: "refund", id: refunds.items[0].id });
    await paidBooking("Tiling"); // held in escrow
    const res = await stack.t.app.inject({
      method: "GET",
      url: "/api/v1/admin/reports/money-out",
      headers: bearer(admin.token),
    });
    const report = res.json().data.report;
    expect(report).toMatchObject({
      paidOut: { amount: 450, count: 1 },
      refunded: { amount: 500, count: 1 },
      commission: { amount: 100, count: 2 },
      owed: { technicianPayable: 450, customerRefundsPayable: 0, heldInEscrow: 500 },
      payouts: { awaitingApproval: 1 },
    });

    for (const [name, viewport] of [
      ["desktop", DESKTOP_VIEWPORT],
      ["phone", PHONE_VIEWPORT],
    ] as const)
      await stack.withPage(
        `web-admin-dashboard-money-out-${name}`,
        async (w) => {
          const { page } = w;
          await logIn(w, admin.user.email, admin.password, "Payments dashboard");
          await page.getByTestId("money-out").waitFor();
          const figure = (id: string) => page.getByTestId(id).textContent();
          expect(await figure("paid-out")).toBe("KES 450");
          expect(await figure("refunded")).toBe("KES 500");
          expect(await figure("commission")).toBe("KES 100");
          expect(await figure("owed-technicians")).toBe("KES 450");
          expect(await figure("owed-customers")).toBe("KES 0");
          expect(await figure("held-in-escrow")).toBe("KES 500");
          expect(await figure("awaiting-approval")).toContain("1 payout waits for approval.");
          expect(await page.getByTestId("payout-counts").textContent()).toMatch(/Paid out\s*1/);
          expect(await page.getByTestId("refund-counts").textContent()).toMatch(/Refunded\s*1/);
          await expectPageSound(page, `${name}: dashboard with money out`);
          await screenshot(page, `web-admin-dashboard-money-out-${name}-figures`);
          await page.getByRole("link", { name: "Review payouts" }).click();
          await page.getByRole("heading", { name: "Payouts", level: 1 }).waitFor();
          expect(await page.getByLabel("Show").inputValue()).toBe("queued");
        },
        { viewport },
      );
  });
});
