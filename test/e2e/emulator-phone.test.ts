/**
 * The simulated phone in Chromium: a prompt appears by itself, a PIN pays, Cancel gives 1032, the
 * callbacks reach a local receiver, and a B2C payout shows up as money received. Screenshots go to
 * test-results/.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, screenshot } from "../support/browser.ts";
import {
  b2cBody,
  type CallbackReceiver,
  darajaPost,
  fetchToken,
  startCallbackReceiver,
  startTestEmulator,
  stkCallbackOf,
  stkPushBody,
  type TestEmulator,
} from "../support/emulator.ts";

const PHONE = "254712345678";

let t: TestEmulator;
let receiver: CallbackReceiver;
let browser: Browser;
let token: string;

beforeAll(async () => {
  // Real time, so the 60 s prompt waits for the browser; a short callback delay keeps it quick.
  t = await startTestEmulator({ timeScale: 1, callbackDelayMs: 50 });
  receiver = await startCallbackReceiver();
  token = await fetchToken(t.baseUrl);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await t?.close();
});

async function push(callbackPath: string, accountReference: string) {
  const answer = await darajaPost(
    t.baseUrl,
    "/mpesa/stkpush/v1/processrequest",
    token,
    stkPushBody(PHONE, { CallBackURL: receiver.url(callbackPath), AccountReference: accountReference }),
  );
  expect(answer.status).toBe(200);
  return answer.json?.CheckoutRequestID as string;
}

describe("the simulated phone page", () => {
  it("shows each new prompt by itself; a PIN pays and Cancel cancels", async () => {
    const { page, assertNoConsoleErrors, close } = await openPage(browser, { baseURL: t.baseUrl });
    try {
      await page.goto(`/__emulator/phone/${PHONE}`);
      await expect.poll(() => page.locator("#prompt-text").textContent()).toBe("No payment request.");
      expect(await page.getByLabel("M-PESA PIN").isVisible()).toBe(false);

      await push("/cb/first", "BK12345");
      const prompt = page.locator("#prompt-text");
      await prompt.getByText("Pay KES 500 to MALIPO, account BK12345. Enter M-PESA PIN").waitFor();
      const pin = page.getByLabel("M-PESA PIN");
      expect(await pin.isVisible()).toBe(true);
      expect(await pin.evaluate((el) => el === document.activeElement)).toBe(true);
      await screenshot(page, "emulator-phone-prompt");

      // Keyboard focus is visible on the buttons.
      await page.keyboard.press("Tab");
      const send = page.getByRole("button", { name: "Send" });
      expect(await send.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await send.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe("solid");

      await pin.fill("1234");
      await send.click();
      await page
        .getByRole("status")
        .getByText("Confirmed. KES 500 sent to MALIPO for account BK12345.")
        .waitFor();
      const paid = stkCallbackOf(await receiver.waitFor((c) => c.url === "/cb/first"));
      expect(paid.ResultCode).toBe(0);
      expect(paid.ResultDesc).toBe("The service request is processed successfully.");
      await screenshot(page, "emulator-phone-paid");

      await push("/cb/second", "BK67890");
      await prompt.getByText("Pay KES 500 to MALIPO, account BK67890. Enter M-PESA PIN").waitFor();
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("status").getByText("You cancelled the payment request.").waitFor();
      const cancelled = stkCallbackOf(await receiver.waitFor((c) => c.url === "/cb/second"));
      expect(cancelled.ResultCode).toBe(1032);
      expect(await pin.isVisible()).toBe(false);
      await screenshot(page, "emulator-phone-cancelled");

      assertNoConsoleErrors();
    } finally {
      await close();
    }
  });

  it("home page lists the test numbers, sessions and deliveries", async () => {
    const { page, assertNoConsoleErrors, close } = await openPage(browser, {
      baseURL: t.baseUrl,
      viewport: { width: 1280, height: 800 },
    });
    try {
      await page.goto("/__emulator");
      await page.getByRole("heading", { name: "Daraja emulator" }).waitFor();
      expect(await page.getByRole("link", { name: "254700009006" }).count()).toBe(1);
      expect(await page.getByRole("link", { name: "254700008004" }).count()).toBe(1);
      // Test numbers, payout test numbers, organisation accounts, sessions, deliveries.
      expect(await page.getByRole("table").count()).toBe(5);
      await screenshot(page, "emulator-home");
      assertNoConsoleErrors();
    } finally {
      await close();
    }
  });

  it("shows the money a B2C payout sends to the number, by itself", async () => {
    const { page, assertNoConsoleErrors, close } = await openPage(browser, { baseURL: t.baseUrl });
    try {
      await page.goto("/__emulator/phone/254712000901");
      await page.getByRole("heading", { name: "Money received" }).waitFor();
      await page.getByText("No payments received yet.").waitFor();
      const answer = await darajaPost(
        t.baseUrl,
        "/mpesa/b2c/v3/paymentrequest",
        token,
        b2cBody(t.emulator, "254712000901", { Amount: 1250, ResultURL: receiver.url("/b2c/result") }),
      );
      expect(answer.status).toBe(200);
      const item = page.locator("#received li");
      await item.first().waitFor();
      expect(await item.first().textContent()).toMatch(
        /^[A-Z0-9]{10} Confirmed\. You have received KES 1,250\.00 from MALIPO 174379 on /,
      );
      expect(await page.getByText("No payments received yet.").isVisible()).toBe(false);
      await screenshot(page, "emulator-phone-money-received");
      assertNoConsoleErrors();
    } finally {
      await close();
    }
  });
});
