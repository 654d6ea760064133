/**
 * A technician's pages in Chromium, on a 360 px phone, against the real API and the emulator: open
 * jobs (paid through the emulator) to accept, the M-Pesa number a payout needs (asked for up front,
 * and when the server refuses TECHNICIAN_PHONE_REQUIRED), their job marked done with the keyboard
 * after the split is shown, and their payout listed as queued (nothing submits payouts yet).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBooking, type RegisteredUser, registerUser } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { logIn, payByApi, screenshot, startWebStack, type WebStack } from "../support/browser.ts";
import { expectPageSound, focusIsVisible } from "../support/page-checks.ts";

let stack: WebStack;
let customer: RegisteredUser;

beforeAll(async () => {
  stack = await startWebStack({ emulator: { timeScale: 0.25, seed: "web-technician" } });
  customer = await registerUser(stack.t.app, { name: "Amina Njeri", phoneNumber: "254708374149" });
});

afterAll(async () => {
  if (stack) await assertBooksBalanced(stack.t.db.db.kysely);
  await stack?.close();
});

/** A booking of `service` whose fee the emulator's paying test number paid: open to take. */
async function openJob(service: string): Promise<string> {
  const booking = await createBooking(stack.t.app, customer.token, { service, location: "Westlands" });
  expect(await payByApi(stack.t.app, customer.token, booking.id, "254708374149")).toBe("completed");
  return booking.id;
}

describe("a technician", () => {
  it("adds the M-Pesa number payouts need, accepts an open job, marks it done and sees the payout", async () => {
    const bookingId = await openJob("Electrical repair");
    const tech = await registerUser(stack.t.app, { role: "technician", name: "Juma Fundi" });
    await stack.withPage("web-technician-jobs", async (w) => {
      const { page } = w;
      await logIn(w, tech.user.email, tech.password, "Jobs");
      const open = page.getByTestId("open-jobs");
      await open.getByRole("link", { name: "Electrical repair" }).waitFor();
      expect(await open.textContent()).toContain("You receive KES 450 when it is done.");

      // No number yet: told why one is needed; the job cannot be taken until it is added.
      await page.getByTestId("phone-needed").waitFor();
      expect(await page.getByRole("button", { name: "Accept Electrical repair" }).isDisabled()).toBe(true);
      await expectPageSound(page, "jobs: number needed");
      await screenshot(page, "web-technician-phone-needed");
      await page.getByLabel("M-Pesa phone number").fill("0712");
      await page.getByRole("button", { name: "Add number" }).click();
      await page.getByText("This number is too short").waitFor();
      await page.getByLabel("M-Pesa phone number").fill("0799 000 123");
      await page.getByRole("button", { name: "Add number" }).click();
      await page.getByTestId("toast").filter({ hasText: "Payouts will go to 0799 000 123" }).waitFor();
      await page.getByTestId("phone-needed").waitFor({ state: "detached" });

      await page.getByRole("button", { name: "Accept Electrical repair" }).click();
      await page.getByTestId("toast").filter({ hasText: "the job is yours" }).waitFor();
      const mine = page.getByTestId("my-jobs");
      await mine.getByRole("link", { name: "Electrical repair" }).waitFor();
      expect(await page.getByTestId("open-jobs").count()).toBe(0);
      await expectPageSound(page, "jobs: accepted");
      await screenshot(page, "web-technician-my-jobs");

      // Marked done with the keyboard: the dialog says the split before anything moves.
      await mine.getByRole("link", { name: "Electrical repair" }).focus();
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
        "Mark Electrical repair done",
      );
      expect(await focusIsVisible(page)).toBe(true);
      await page.keyboard.press("Enter");
      const dialog = page.getByTestId("complete-modal");
      await dialog.waitFor();
      expect(await page.getByTestId("complete-split").textContent()).toBe(
        "The booking fee of KES 500 is released: KES 50 platform commission (10%), and KES 450 paid to your M-Pesa 0799 000 123.",
      );
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Not now");
      await expectPageSound(page, "jobs: complete dialog");
      await screenshot(page, "web-technician-complete-dialog");
      await page.keyboard.press("Shift+Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Mark job done");
      await page.keyboard.press("Enter");
      await dialog.waitFor({ state: "detached" });
      await page.getByTestId("toast").filter({ hasText: "KES 450 payout queued" }).waitFor();
      await page.getByTestId("done-jobs").getByRole("link", { name: "Electrical repair" }).waitFor();

      await page.getByRole("link", { name: "See your payouts" }).click();
      await page.getByRole("heading", { name: "Payouts", level: 1 }).waitFor();
      const row = page.getByTestId("payouts").locator("tbody tr");
      await row.first().waitFor();
      expect(await row.count()).toBe(1);
      expect(await row.first().getAttribute("data-status")).toBe("queued");
      const text = (await row.first().textContent()) ?? "";
      expect(text).toContain("Queued to send");
      expect(text).toContain("KES 450");
      expect(text).toContain("0799 000 123");
      await expectPageSound(page, "payouts");
      await screenshot(page, "web-technician-payouts");

      // The booking's page says where the money is.
      await row.first().getByRole("link", { name: "View booking" }).click();
      await page.getByTestId("payout-status").filter({ hasText: "Queued to send" }).waitFor();
      await page.getByText("KES 450 is queued to be sent to your M-Pesa 0799 000 123.").waitFor();
      expect(await page.getByTestId("fee-status").textContent()).toContain("Released to technician");
      await expectPageSound(page, "booking: payout queued");

      // The account page shows the number payouts go to, and can change it.
      await page.getByRole("link", { name: "Account" }).click();
      await page.getByRole("heading", { name: "Your account", level: 1 }).waitFor();
      expect(await page.getByTestId("account-phone").textContent()).toBe("0799 000 123");
      await page.getByLabel("M-Pesa phone number").fill("0799 000 124");
      await page.getByRole("button", { name: "Save number" }).click();
      await page.getByTestId("account-phone").filter({ hasText: "0799 000 124" }).waitFor();
      await expectPageSound(page, "account");
      await screenshot(page, "web-technician-account");
    });
    const booking = await stack.t.services.bookings.get({ id: tech.user.id, role: "technician" }, bookingId);
    expect(booking).toMatchObject({ status: "completed", payout: { status: "queued", amount: 450 } });
  });

  it("is told why when the server refuses a job for want of an M-Pesa number, and can add it there", async () => {
    const bookingId = await openJob("Carpentry");
    const tech = await registerUser(stack.t.app, { role: "technician", name: "Otieno Seremala" });
    await stack.withPage("web-technician-phone-refused", async (w) => {
      const { page } = w;
      await logIn(w, tech.user.email, tech.password, "Jobs");
      // This tab believes the account has a number (added elsewhere, then removed): only the server knows.
      await page.evaluate(() => {
        const session = JSON.parse(localStorage.getItem("malipo.session") ?? "{}");
        session.user.phoneNumber = "254799000999";
        localStorage.setItem("malipo.session", JSON.stringify(session));
      });
      await page.goto(`/bookings/${bookingId}`);
      const accept = page.getByRole("button", { name: "Accept this job" });
      await accept.waitFor();
      w.expectConsoleError(/status of 409/);
      await accept.click();
      await page
        .getByTestId("toast")
        .filter({ hasText: "An M-Pesa phone number is needed first: payouts for the job are sent there." })
        .waitFor();
      await page.getByTestId("phone-needed").waitFor();
      expect(await accept.isDisabled()).toBe(true);
      await expectPageSound(page, "booking: number refused");
      await screenshot(page, "web-technician-phone-refused");

      await page.getByLabel("M-Pesa phone number").fill("0711 222 333");
      await page.getByRole("button", { name: "Save number" }).click();
      await page.getByTestId("phone-needed").waitFor({ state: "detached" });
      await accept.click();
      await page.getByTestId("booking-status").filter({ hasText: "Technician assigned" }).waitFor();
      await page.getByRole("button", { name: "Mark job done" }).waitFor();
    });
    const me = await stack.t.services.users.findById(tech.user.id);
    expect(me?.phoneNumber).toBe("254711222333");
  });
});
