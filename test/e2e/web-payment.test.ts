/**
 * Paying a booking fee in Chromium, end to end: the web app, the real API, the real Daraja client
 * and the emulator. Success (with a lost response re-sent under the same Idempotency-Key), a
 * cancelled prompt followed by a successful retry, and a phone that does not answer within the
 * minute (the page's clock is fast-forwarded) and is then paid from the simulated phone.
 */
import type { Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../support/app.ts";
import {
  book,
  screenshot,
  signUp,
  startWebStack,
  type WatchedPage,
  type WebStack,
} from "../support/browser.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let stack: WebStack;

beforeAll(async () => {
  // 0.25: the test numbers "type their PIN" in under a second; an unanswered prompt still waits a
  // real minute, ample time for a person on the simulated phone even on a busy machine.
  stack = await startWebStack({
    emulator: { timeScale: 0.25, promptTimeoutMs: 240_000, seed: "web-payment" },
  });
});

afterAll(async () => {
  await stack?.close();
});

/** Every STK Push request the page sends, with its Idempotency-Key. */
function recordPushes(w: WatchedPage): { key: string | undefined; body: unknown }[] {
  const pushes: { key: string | undefined; body: unknown }[] = [];
  w.page.on("request", (request: Request) => {
    if (request.method() === "POST" && request.url().endsWith("/api/v1/payments/mpesa/stkpush"))
      pushes.push({ key: request.headers()["idempotency-key"], body: request.postDataJSON() });
  });
  return pushes;
}

async function openPaymentModal(w: WatchedPage, phone: string) {
  const { page } = w;
  await page.getByRole("button", { name: "Pay booking fee with M-Pesa" }).click();
  await page.getByTestId("payment-modal").waitFor();
  await page.getByLabel("M-Pesa phone number").fill(phone);
}

async function statusText(w: WatchedPage): Promise<string> {
  return (await w.page.getByTestId("payment-status").textContent()) ?? "";
}

describe("paying the booking fee with M-Pesa", () => {
  it("pays: prompt, live status, receipt, booking updated; a lost answer is re-sent with the same key", async () => {
    await stack.withPage("web-payment-success", async (w) => {
      const { page } = w;
      const pushes = recordPushes(w);
      await signUp(w, uniqueEmail("pay"));
      await book(w, "Plumbing");
      await openPaymentModal(w, "254 708 374 149");

      // The first answer is lost on the way back (the server did send the prompt).
      let dropped = false;
      await page.route("**/api/v1/payments/mpesa/stkpush", async (route) => {
        if (dropped) return route.continue();
        dropped = true;
        await route.fetch();
        await route.abort("connectionreset");
      });
      w.expectConsoleError(/ERR_CONNECTION_RESET/);
      const pay = page.getByRole("button", { name: "Pay KES 500" });
      // Two clicks in the same instant send one request.
      await pay.evaluate((button: HTMLButtonElement) => {
        button.click();
        button.click();
      });
      await page.getByText("We could not reach Malipo").waitFor();
      expect(pushes).toHaveLength(1);

      // Pressing Pay again re-sends the same request under the same key: the server answers it once.
      await pay.click();
      await page.getByText("Check your phone and enter your M-Pesa PIN").waitFor();
      expect(pushes).toHaveLength(2);
      expect(pushes[0]?.key).toMatch(UUID);
      expect(pushes[1]?.key).toBe(pushes[0]?.key);
      expect(pushes[0]?.body).toMatchObject({
        phoneNumber: "254708374149",
        amount: 500,
        type: "booking_fee",
      });

      const phoneLink = page.getByRole("link", { name: "Open the simulated phone" });
      expect(await phoneLink.getAttribute("href")).toBe(
        `${stack.emulator?.baseUrl}/__emulator/phone/254708374149`,
      );
      await screenshot(page, "web-payment-waiting");

      await page.getByText("Payment received.").waitFor({ timeout: 15_000 });
      const receipt = (await page.getByTestId("receipt").textContent()) ?? "";
      expect(receipt).toMatch(/^[A-Z0-9]{10}$/);
      await page.getByTestId("toast").filter({ hasText: receipt }).waitFor();
      await screenshot(page, "web-payment-paid-modal");

      await page.getByRole("button", { name: "View booking details" }).click();
      await page.getByTestId("payment-modal").waitFor({ state: "detached" });
      await page.getByTestId("fee-status").filter({ hasText: "Paid, held safely" }).waitFor();
      expect(await page.getByTestId("booking-status").textContent()).toContain("Finding a technician");
      const attempts = page.getByTestId("attempts").locator("li");
      expect(await attempts.count()).toBe(1);
      expect(await attempts.first().textContent()).toContain(receipt);
      expect(await page.getByRole("button", { name: "Pay booking fee with M-Pesa" }).count()).toBe(0);
    });
  });

  it("a cancelled prompt says so in plain words; Try again starts a new attempt that succeeds", async () => {
    await stack.withPage("web-payment-cancel-retry", async (w) => {
      const { page } = w;
      const pushes = recordPushes(w);
      await signUp(w, uniqueEmail("cancel"));
      await book(w, "Electrical repair");
      await openPaymentModal(w, "0700 001 032");
      await page.getByRole("button", { name: "Pay KES 500" }).click();
      await page.getByText("Check your phone and enter your M-Pesa PIN").waitFor();

      await page.getByTestId("failure-reason").waitFor({ timeout: 15_000 });
      expect(await page.getByTestId("failure-reason").textContent()).toContain(
        "You cancelled the M-Pesa prompt",
      );
      expect(await statusText(w)).toContain("did not go through");
      await screenshot(page, "web-payment-cancelled");

      await page.getByRole("button", { name: "Try again" }).click();
      const phone = page.getByLabel("M-Pesa phone number");
      expect(await phone.inputValue()).toBe("0700 001 032");
      await phone.fill("0708374149");
      await page.getByRole("button", { name: "Pay KES 500" }).click();
      await page.getByText("Payment received.").waitFor({ timeout: 15_000 });

      expect(pushes).toHaveLength(2);
      expect(pushes[1]?.key).toMatch(UUID);
      expect(pushes[1]?.key).not.toBe(pushes[0]?.key);

      await page.getByRole("button", { name: "View booking details" }).click();
      await page.getByTestId("fee-status").filter({ hasText: "Paid, held safely" }).waitFor();
      const attempts = page.getByTestId("attempts").locator("li");
      expect(await attempts.count()).toBe(2);
      expect(await attempts.nth(0).getAttribute("data-status")).toBe("completed");
      expect(await attempts.nth(1).getAttribute("data-status")).toBe("failed");
      expect(await attempts.nth(1).textContent()).toContain("You cancelled the M-Pesa prompt");
    });
  });

  it("no answer within a minute: says it will keep checking, and the booking page updates once paid", async () => {
    await stack.withPage("web-payment-no-answer", async (w) => {
      const { page } = w;
      // The page's own clock, so the one-minute watch passes without waiting a minute.
      await page.clock.install();
      await signUp(w, uniqueEmail("slow"));
      await book(w, "Carpentry");
      // Any number that is not a test number waits on the simulated phone for a person.
      await openPaymentModal(w, "0712 345 678");
      await page.getByRole("button", { name: "Pay KES 500" }).click();
      await page.getByText("Check your phone and enter your M-Pesa PIN").waitFor();
      expect(await statusText(w)).toContain("Waiting for you to enter your PIN");
      const stage = page.locator(".pay-stage");
      const heightBefore = (await stage.boundingBox())?.height;

      await page.clock.fastForward(61_000);
      await page.getByText("We have not heard back yet; we will keep checking.").first().waitFor();
      expect((await stage.boundingBox())?.height).toBe(heightBefore);
      await screenshot(page, "web-payment-not-heard");

      // The customer opens the simulated phone from the modal and pays there.
      const [phonePage] = await Promise.all([
        w.context.waitForEvent("page"),
        page.getByRole("link", { name: "Open the simulated phone" }).click(),
      ]);
      await page.getByRole("button", { name: "Close" }).first().click();
      await page.getByTestId("payment-modal").waitFor({ state: "detached" });
      await page.getByTestId("attempts").locator('li[data-status="pending"]').waitFor();

      await phonePage.getByLabel("M-PESA PIN").fill("1234");
      await phonePage.getByRole("button", { name: "Send" }).click();
      await phonePage.close();

      // The booking page polls while an attempt is open and shows the outcome by itself.
      await page
        .getByTestId("fee-status")
        .filter({ hasText: "Paid, held safely" })
        .waitFor({ timeout: 20_000 });
      await page.getByTestId("toast").filter({ hasText: "Booking fee paid" }).waitFor();
      expect(await page.getByTestId("attempts").locator("li").first().getAttribute("data-status")).toBe(
        "completed",
      );
    });
  });
});
