/**
 * The web app in Chromium against the real API: signing up and in (with errors next to their
 * fields), booking, and the payment modal's checks before anything is sent (phone validation,
 * focus trap, Escape). No M-Pesa involved: nothing here sends an STK Push.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../support/app.ts";
import {
  DESKTOP_VIEWPORT,
  expectFieldError,
  futureLocalDateTime,
  screenshot,
  signUp,
  startWebStack,
  type WebStack,
} from "../support/browser.ts";

let stack: WebStack;

beforeAll(async () => {
  stack = await startWebStack({ emulator: false });
});

afterAll(async () => {
  await stack?.close();
});

describe("accounts", () => {
  it("signs up, logs out and logs back in; refusals sit next to their fields", async () => {
    await stack.withPage("web-account-signup-login", async (w) => {
      const { page } = w;
      const email = uniqueEmail("web");
      await page.goto("/");
      // Not signed in: sent to the login page.
      await page.getByRole("heading", { name: "Log in" }).waitFor();
      await page.getByRole("link", { name: "Create an account" }).click();

      // Checked before sending: each problem next to its field.
      await page.getByRole("button", { name: "Sign up" }).click();
      await expectFieldError(w, "Your name", /Enter your name/);
      await expectFieldError(w, "Email", /email address/);
      await page.getByLabel("Password").fill("short");
      await page.getByLabel("M-Pesa phone number (optional)").fill("0712");
      await page.getByRole("button", { name: "Sign up" }).click();
      await expectFieldError(w, "Password", /at least 8/);
      await expectFieldError(w, "M-Pesa phone number (optional)", /too short/);

      await page.getByLabel("M-Pesa phone number (optional)").fill("");
      await signUp(w, email);
      await expect(page.getByRole("link", { name: "New booking" })).toBeTruthy();
      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByRole("heading", { name: "Log in" }).waitFor();

      // The same email again: the API's EMAIL_TAKEN is shown under Email.
      await page.goto("/signup");
      await page.getByLabel("Your name").fill("Someone Else");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("another-password");
      w.expectConsoleError(/status of 409/);
      await page.getByRole("button", { name: "Sign up" }).click();
      await expectFieldError(w, "Email", /.+/);

      // A wrong password: INVALID_CREDENTIALS under Password.
      await page.getByRole("link", { name: "Log in" }).click();
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("not-the-password");
      w.expectConsoleError(/status of 401/);
      await page.getByRole("button", { name: "Log in" }).click();
      await expectFieldError(w, "Password", /.+/);

      await page.getByLabel("Password").fill("correct-horse-battery");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("heading", { name: "Your bookings" }).waitFor();
    });
  });

  it("signs up a technician, who cannot book and is asked for the M-Pesa number payouts go to", async () => {
    await stack.withPage(
      "web-account-technician",
      async (w) => {
        const { page } = w;
        await page.goto("/signup");
        await page.getByLabel("Your name").fill("Juma Fundi");
        await page.getByLabel("Email").fill(uniqueEmail("tech"));
        await page.getByLabel("Password").fill("correct-horse-battery");
        await page.getByLabel("Technician").check();
        await page.getByRole("button", { name: "Sign up" }).click();
        await page.getByRole("heading", { name: "Jobs", exact: true }).waitFor();
        expect(await page.getByRole("link", { name: "New booking" }).count()).toBe(0);
        expect(await page.getByRole("link", { name: "Payouts" }).count()).toBe(1);
        await page.getByTestId("phone-needed").waitFor();
      },
      { viewport: DESKTOP_VIEWPORT },
    );
  });
});

describe("booking", () => {
  it("books a service and shows the unpaid fee; the payment modal checks the number and is keyboard-safe", async () => {
    await stack.withPage("web-booking-and-modal", async (w) => {
      const { page } = w;
      await signUp(w, uniqueEmail("book"));
      await page.getByRole("link", { name: "New booking" }).first().click();
      await page.getByRole("heading", { name: "New booking" }).waitFor();
      await page.getByRole("button", { name: "Book" }).click();
      await expectFieldError(w, "Service", /which service/);
      await page.getByLabel("Service").fill("Plumbing");
      await page.getByLabel("What needs doing (optional)").fill("Kitchen sink leaks");
      await page.getByLabel("Location (optional)").fill("Kilimani, near Yaya Centre");
      await page.getByLabel("When (optional)").fill(futureLocalDateTime());
      await page.getByRole("button", { name: "Book" }).click();

      await page.getByRole("heading", { name: "Plumbing" }).waitFor();
      expect(await page.getByTestId("booking-status").textContent()).toContain("Waiting for booking fee");
      expect(await page.getByTestId("fee-status").textContent()).toContain("Not paid yet");
      expect(await page.getByText("No payment attempts yet.").count()).toBe(1);
      const payButton = page.getByRole("button", { name: "Pay booking fee with M-Pesa" });

      // The modal: the number from sign-up is filled in; a bad one is explained before sending.
      await payButton.click();
      const modal = page.getByTestId("payment-modal");
      await modal.waitFor();
      const phone = page.getByLabel("M-Pesa phone number");
      expect(await phone.inputValue()).toBe("0708 374 149");
      expect(await phone.evaluate((el) => el === document.activeElement)).toBe(true);
      await phone.fill("0712 345");
      await page.getByRole("button", { name: "Pay KES 500" }).click();
      await expectFieldError(w, "M-Pesa phone number", /too short/);
      await phone.fill("+1 555 0100");
      await phone.blur();
      await expectFieldError(w, "M-Pesa phone number", /Only Kenyan numbers/);

      // Focus stays inside the dialog whichever way the customer tabs.
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press("Tab");
        expect(await modal.evaluate((el) => el.contains(document.activeElement))).toBe(true);
      }
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press("Shift+Tab");
        expect(await modal.evaluate((el) => el.contains(document.activeElement))).toBe(true);
      }
      await screenshot(page, "web-booking-modal-phone-error");

      // Escape closes it and gives focus back to the button that opened it.
      await page.keyboard.press("Escape");
      await modal.waitFor({ state: "detached" });
      expect(await payButton.evaluate((el) => el === document.activeElement)).toBe(true);

      // The bookings list shows it too.
      await page.getByRole("link", { name: "Bookings", exact: true }).click();
      await page.getByRole("link", { name: "Plumbing" }).waitFor();
    });
  });

  it("lays out on a desktop screen without horizontal scrolling", async () => {
    await stack.withPage(
      "web-booking-desktop",
      async (w) => {
        const { page } = w;
        await signUp(w, uniqueEmail("desk"));
        await page.goto("/bookings/new");
        await page.getByLabel("Service").fill("Electrical repair");
        await page.getByRole("button", { name: "Book" }).click();
        await page.getByRole("heading", { name: "Electrical repair" }).waitFor();
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
          true,
        );
      },
      { viewport: DESKTOP_VIEWPORT },
    );
  });
});
