/**
 * Payment history (filter, pages) and the admin dashboard in Chromium, over payments made through
 * the real API and the emulator: three customers, twelve attempts (eleven paid, one cancelled).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createAdmin, createBooking, type RegisteredUser, registerUser } from "../support/app.ts";
import { DESKTOP_VIEWPORT, logIn, payByApi, startWebStack, type WebStack } from "../support/browser.ts";

interface Report {
  successRate: number | null;
  counts: Record<string, number>;
  revenuePerDay: { day: string; amount: number }[];
  failureReasons: { reason: string; resultCode: string | null; count: number }[];
}

let stack: WebStack;
let alice: RegisteredUser;

beforeAll(async () => {
  stack = await startWebStack({ emulator: { timeScale: 0.25, seed: "web-history" } });
  alice = await registerUser(stack.t.app, { name: "Alice Wambui" });
  const bob = await registerUser(stack.t.app);
  const carol = await registerUser(stack.t.app);
  let phone = 254_710_000_100;
  const payments: Promise<string>[] = [pay(alice, "254700001032")];
  for (const customer of [alice, bob, carol, bob, carol, bob, carol, bob, carol, bob, carol]) {
    phone += 1;
    stack.emulator?.emulator.setOutcome(String(phone), "pay_at_once");
    payments.push(pay(customer, String(phone)));
  }
  const settled = await Promise.all(payments);
  expect(settled.filter((status) => status === "completed")).toHaveLength(11);
});

afterAll(async () => {
  await stack?.close();
});

/** Books and pays through the API; resolves with the attempt's final status. */
async function pay(customer: RegisteredUser, phoneNumber: string): Promise<string> {
  const booking = await createBooking(stack.t.app, customer.token);
  return payByApi(stack.t.app, customer.token, booking.id, phoneNumber);
}

describe("payment history", () => {
  it("lists the customer's own payments and filters them by status", async () => {
    await stack.withPage("web-history-customer", async (w) => {
      const { page } = w;
      await logIn(w, alice.user.email, alice.password, "Your bookings");
      await page.getByRole("link", { name: "Payments" }).click();
      await page.getByRole("heading", { name: "Payments" }).waitFor();
      const rows = page.getByTestId("history").locator("tbody tr");
      await rows.first().waitFor();
      expect(await rows.count()).toBe(2);

      await page.getByLabel("Show").selectOption({ label: "Failed" });
      await page.waitForURL(/status=failed/);
      // The failed row is already in the unfiltered list: wait for the filtered answer to replace it.
      await page.locator('tbody tr[data-status="completed"]').waitFor({ state: "detached" });
      await page.locator('tbody tr[data-status="failed"]').waitFor();
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain("You cancelled the M-Pesa prompt");

      await page.getByLabel("Show").selectOption({ label: "Paid" });
      await page.waitForURL(/status=completed/);
      await page.locator('tbody tr[data-status="failed"]').waitFor({ state: "detached" });
      await page.locator('tbody tr[data-status="completed"]').waitFor();
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toMatch(/[A-Z0-9]{10}/);

      // The filter lives in the URL: a reload keeps it.
      await page.reload();
      await page.locator('tbody tr[data-status="completed"]').waitFor();
      expect(await page.getByLabel("Show").inputValue()).toBe("completed");
    });
  });
});

describe("admin", () => {
  it("shows the dashboard's figures and charts, and pages through every payment", async () => {
    const admin = await createAdmin(stack.t);
    const res = await stack.t.app.inject({
      method: "GET",
      url: "/api/v1/admin/reports/payments",
      headers: bearer(admin.token),
    });
    const report = (res.json() as { data: { report: Report } }).data.report;
    expect(report.counts.completed).toBe(11);

    await stack.withPage(
      "web-admin-dashboard",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.getByTestId("dashboard").waitFor();
        expect(await page.getByTestId("success-rate").textContent()).toBe(
          `${((report.successRate ?? 0) * 100).toFixed(1)}%`,
        );
        expect(await page.getByTestId("success-rate").textContent()).toBe("91.7%");
        expect(await page.getByTestId("average-time").textContent()).toMatch(/\d s$/);
        expect(await page.getByTestId("p95-time").textContent()).toMatch(/\d s$/);
        expect(await page.getByTestId("payments-total").textContent()).toBe("12");
        expect(await page.getByTestId("revenue-total").textContent()).toBe("KES 5,500");
        // One bar per day with revenue, one row per failure reason.
        expect(await page.locator("svg.chart rect.chart-bar").count()).toBe(report.revenuePerDay.length);
        const reasons = page.locator(".bar-list li");
        expect(await reasons.count()).toBe(report.failureReasons.length);
        expect(await reasons.first().textContent()).toContain("1032");
        await page.getByText("Nothing to review.").waitFor();

        // Admins see everyone's payments, ten to a page.
        await page.getByRole("link", { name: "Payments" }).click();
        await page.getByText("Page 1 of 2 (12 payments)").waitFor();
        const rows = page.getByTestId("history").locator("tbody tr");
        expect(await rows.count()).toBe(10);
        await page.getByRole("button", { name: "Next →" }).click();
        await page.getByText("Page 2 of 2 (12 payments)").waitFor();
        expect(await rows.count()).toBe(2);
        await page.getByRole("button", { name: "← Previous" }).click();
        await page.getByText("Page 1 of 2 (12 payments)").waitFor();
        await page.getByRole("link", { name: "Dashboard" }).click();
        await page.getByTestId("dashboard").waitFor();
      },
      { viewport: DESKTOP_VIEWPORT },
    );
  });
});
