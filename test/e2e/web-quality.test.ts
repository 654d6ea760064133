/**
 * The web app's quality bar in Chromium, on a 360 px phone and on a desktop: every page fits the
 * screen, has readable text and passes an accessibility smoke check; the whole pay flow works with
 * the keyboard alone while the payment modal keeps its size through every status; the live status
 * comes from the event stream, and polling takes over when the stream cannot be opened.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, createBooking, type RegisteredUser, registerUser } from "../support/app.ts";
import {
  DESKTOP_VIEWPORT,
  logIn,
  PHONE_VIEWPORT,
  payByApi,
  screenshot,
  startWebStack,
  type WatchedPage,
  type WebStack,
} from "../support/browser.ts";
import {
  expectPageSound,
  findAccessibilityProblems,
  findOverflow,
  findTinyText,
  focusIsVisible,
} from "../support/page-checks.ts";

const VIEWPORTS = [
  ["phone", PHONE_VIEWPORT],
  ["desktop", DESKTOP_VIEWPORT],
] as const;

let stack: WebStack;
let customer: RegisteredUser;
let admin: RegisteredUser;
/** A booking whose fee was paid after a cancelled first attempt. */
let paidBookingId: string;

beforeAll(async () => {
  // 0.25: test numbers answer in under a second; an interactive prompt waits a real minute.
  stack = await startWebStack({
    emulator: { timeScale: 0.25, promptTimeoutMs: 240_000, seed: "web-quality" },
  });
  customer = await registerUser(stack.t.app, { name: "Amina Njeri", phoneNumber: "254708374149" });
  admin = await createAdmin(stack.t);
  paidBookingId = (await createBooking(stack.t.app, customer.token, { service: "Appliance repair" })).id;
  expect(await payByApi(stack.t.app, customer.token, paidBookingId, "254700001032")).toBe("failed");
  expect(await payByApi(stack.t.app, customer.token, paidBookingId, "254700000000")).toBe("completed");
});

afterAll(async () => {
  await stack?.close();
});

/** Pushes through the API and waits for the attempt's final status. */
/** Presses Tab until the focused element's text or label is `name`; fails after `max` presses. */
async function tabTo(page: Page, name: string, max = 30): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(
      () => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? "",
    );
    if (focused.trim() === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

async function focusedText(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
}

type Box = { x: number; y: number; width: number; height: number };

/** The payment dialog's box, which must not move or change size while the status changes. */
async function modalBox(w: WatchedPage): Promise<Box> {
  const box = await w.page.getByTestId("payment-modal").boundingBox();
  if (!box) throw new Error("payment modal not visible");
  return box;
}

function expectSameBox(actual: Box, expected: Box, when: string): void {
  for (const key of ["x", "y", "width", "height"] as const) {
    if (Math.abs(actual[key] - expected[key]) > 0.5)
      throw new Error(
        `the payment modal moved ${when}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`,
      );
  }
}

describe.each(VIEWPORTS)("on a %s", (name, viewport) => {
  it("every page fits the screen, reads clearly and passes the accessibility smoke check", async () => {
    const unpaid = await createBooking(stack.t.app, customer.token, { service: "Painting" });
    await stack.withPage(
      `web-pages-${name}`,
      async (w) => {
        const { page } = w;
        const check = async (label: string) => {
          await expectPageSound(page, `${name}: ${label}`);
          await screenshot(page, `web-${name}-${label}`);
        };

        await page.goto("/signup");
        await page.getByRole("button", { name: "Sign up" }).click();
        await page.getByText("Enter your name.").waitFor();
        await check("signup-errors");

        await logIn(w, customer.user.email, customer.password, "Your bookings");
        await page.getByRole("link", { name: "Appliance repair" }).waitFor();
        await check("bookings");
        await page.getByRole("link", { name: "New booking" }).first().click();
        await page.getByRole("heading", { name: "New booking" }).waitFor();
        await check("new-booking");

        await page.goto(`/bookings/${paidBookingId}`);
        await page.getByTestId("attempts").locator("li").nth(1).waitFor();
        await check("booking-details");

        await page.goto(`/bookings/${unpaid.id}`);
        await page.getByRole("button", { name: "Pay booking fee with M-Pesa" }).click();
        await page.getByLabel("M-Pesa phone number").fill("0712");
        await page.getByRole("button", { name: "Pay KES 500" }).click();
        await page.getByText("This number is too short").waitFor();
        await check("payment-modal-form");
        await page.keyboard.press("Escape");
        await page.getByTestId("payment-modal").waitFor({ state: "detached" });

        await page.getByRole("link", { name: "Payments" }).click();
        await page.getByTestId("history").locator("tbody tr").nth(1).waitFor();
        await check("history");

        await page.getByRole("button", { name: "Log out" }).click();
        await page.getByRole("heading", { name: "Log in" }).waitFor();
        await check("login");

        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.getByTestId("dashboard").waitFor();
        await check("admin-dashboard");

        // Nothing here needs a person: the review queue says so, and its link shows no count.
        await page.getByRole("link", { name: "Review", exact: true }).click();
        await page.getByTestId("review-empty").filter({ hasText: "Nothing needs a decision" }).waitFor();
        await check("admin-review");

        // No statement reconciled yet: the upload form, the empty list and M-Pesa's balance panel.
        await page.getByRole("link", { name: "Reconciliation", exact: true }).click();
        await page.getByText("No statement reconciled yet.").waitFor();
        await page.getByText("M-Pesa has not been asked yet.").waitFor();
        await check("admin-reconciliations");
      },
      { viewport },
    );
  });

  it("pays with the keyboard alone; the modal traps focus, shows it, and never changes size", async () => {
    const booking = await createBooking(stack.t.app, customer.token, { service: "Cleaning" });
    await stack.withPage(
      `web-keyboard-pay-${name}`,
      async (w) => {
        const { page } = w;
        const polls: string[] = [];
        const streams: string[] = [];
        page.on("request", (request) => {
          const url = request.url();
          if (!url.includes("/api/v1/payments/mpesa/status/")) return;
          (url.includes("/events") ? streams : polls).push(url);
        });
        await logIn(w, customer.user.email, customer.password, "Your bookings");
        await page.goto(`/bookings/${booking.id}`);
        await page.getByRole("heading", { name: "Cleaning" }).waitFor();

        await tabTo(page, "Pay booking fee with M-Pesa");
        expect(await focusIsVisible(page)).toBe(true);
        await page.keyboard.press("Enter");
        const modal = page.getByTestId("payment-modal");
        await modal.waitFor();
        const phone = page.getByLabel("M-Pesa phone number");
        expect(await phone.evaluate((el) => el === document.activeElement)).toBe(true);
        expect(await phone.inputValue()).toBe("0708 374 149");
        const formBox = await modalBox(w);
        await screenshot(page, `web-${name}-modal-form`);

        // A number whose owner types the wrong PIN.
        await page.keyboard.press("ControlOrMeta+A");
        await page.keyboard.type("0700 002 001");
        await page.keyboard.press("Enter");
        await page.getByText("Check your phone and enter your M-Pesa PIN").waitFor();
        expectSameBox(await modalBox(w), formBox, "when the prompt was sent");
        await screenshot(page, `web-${name}-modal-waiting`);

        await page.getByTestId("failure-reason").waitFor({ timeout: 15_000 });
        expect(await page.getByTestId("failure-reason").textContent()).toContain("wrong");
        expectSameBox(await modalBox(w), formBox, "when the payment failed");
        expect(await focusedText(page)).toBe("Try again");
        expect(await focusIsVisible(page)).toBe(true);
        await expectPageSound(page, `${name}: modal failed`);
        await screenshot(page, `web-${name}-modal-failed`);

        // Tab and Shift+Tab cycle inside the dialog, through the toast shown over it too.
        const visited = new Set<string>();
        for (const key of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
          await page.keyboard.press(key);
          expect(await modal.evaluate((el) => el.contains(document.activeElement))).toBe(true);
          expect(await focusIsVisible(page)).toBe(true);
          visited.add(
            (await page.evaluate(
              () => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent,
            )) ?? "",
          );
        }
        expect([...visited].sort()).toEqual(["Close", "Dismiss", "Try again"]);

        await tabTo(page, "Try again", 4);
        await page.keyboard.press("Enter");
        expect(await phone.evaluate((el) => el === document.activeElement)).toBe(true);
        expectSameBox(await modalBox(w), formBox, "back on the form");
        await page.keyboard.press("ControlOrMeta+A");
        await page.keyboard.type("0708374149");
        await page.keyboard.press("Enter");

        await page.getByText("Payment received.").waitFor({ timeout: 15_000 });
        expectSameBox(await modalBox(w), formBox, "when the payment succeeded");
        expect(await focusedText(page)).toBe("View booking details");
        await page.getByTestId("toast").filter({ hasText: "paid" }).waitFor();
        await expectPageSound(page, `${name}: modal paid`);
        await screenshot(page, `web-${name}-modal-paid`);

        // Live status came from the event stream, one per attempt: no polling was needed.
        expect(streams).toHaveLength(2);
        expect(polls).toHaveLength(0);

        await page.keyboard.press("Enter");
        await modal.waitFor({ state: "detached" });
        await page.getByTestId("fee-status").filter({ hasText: "Paid, held safely" }).waitFor();
        // The Pay button is gone: focus lands on the booking's heading, at the top of its details.
        expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
        expect(await focusedText(page)).toBe("Cleaning");
      },
      { viewport },
    );
  });
});

describe("when the event stream cannot be opened", () => {
  it("polls for the status instead, past the first minute, until the payment lands", async () => {
    const booking = await createBooking(stack.t.app, customer.token, { service: "Carpentry" });
    await stack.withPage(
      "web-payment-polling-desktop",
      async (w) => {
        const { page } = w;
        await page.clock.install();
        // Chromium logs each refused stream; the modal opens one in the first minute and one after.
        w.expectConsoleError(/ERR_FAILED.*\/events/);
        w.expectConsoleError(/ERR_FAILED.*\/events/);
        const polls: string[] = [];
        let streams = 0;
        await page.route("**/api/v1/payments/mpesa/status/*/events*", (route) => {
          streams += 1;
          return route.abort("failed");
        });
        page.on("request", (request) => {
          const url = request.url();
          if (url.includes("/api/v1/payments/mpesa/status/") && !url.includes("/events")) polls.push(url);
        });
        await logIn(w, customer.user.email, customer.password, "Your bookings");
        await page.goto(`/bookings/${booking.id}`);
        await page.getByRole("button", { name: "Pay booking fee with M-Pesa" }).click();
        // Not a test number: the prompt waits on the simulated phone for a person.
        await page.getByLabel("M-Pesa phone number").fill("0712 000 777");
        await page.getByRole("button", { name: "Pay KES 500" }).click();
        await page.getByText("Check your phone and enter your M-Pesa PIN").waitFor();
        await expect.poll(() => polls.length).toBeGreaterThan(0);
        expect(streams).toBe(1);
        const box = await modalBox(w);

        await page.clock.fastForward(61_000);
        await page.getByText("We have not heard back yet; we will keep checking.").first().waitFor();
        expectSameBox(await modalBox(w), box, "after the minute");
        await expectPageSound(page, "desktop: modal not heard back");
        await screenshot(page, "web-desktop-modal-not-heard");
        // A toast shown over the open dialog can still be dismissed.
        const toast = page.getByTestId("toast").filter({ hasText: "not heard back" });
        await toast.getByRole("button", { name: "Dismiss" }).click({ timeout: 3_000 });
        await toast.waitFor({ state: "detached" });

        const [phonePage] = await Promise.all([
          w.context.waitForEvent("page"),
          page.getByRole("link", { name: "Open the simulated phone" }).click(),
        ]);
        await phonePage.getByLabel("M-PESA PIN").fill("1234");
        await phonePage.getByRole("button", { name: "Send" }).click();
        await phonePage.close();

        const before = polls.length;
        const received = page.getByText("Payment received.");
        for (let i = 0; i < 10 && !(await received.isVisible()); i++) {
          await page.clock.fastForward(10_000);
          await received.waitFor({ timeout: 1_500 }).catch(() => {});
        }
        await received.waitFor({ timeout: 1_000 });
        expect(polls.length).toBeGreaterThan(before);
        expect(streams).toBe(2);
        expectSameBox(await modalBox(w), box, "when the payment landed");
      },
      { viewport: DESKTOP_VIEWPORT },
    );
  });
});

describe("the page checks themselves", () => {
  it("catch each kind of problem they look for", async () => {
    await stack.withPage("web-page-checks-self-test", async ({ page }) => {
      await page.setContent(`<html><head><title>Bad</title></head><body>
        <h1>One</h1><h1>Two</h1>
        <input id="x"><label>Orphan label</label><select id="x"></select>
        <button></button><a href="/somewhere"></a><img src="data:,">
        <svg class="chart"><rect width="10" height="10"/></svg>
        <p aria-describedby="nowhere">Described by nothing</p>
        <span class="badge">Paid</span><span class="badge"><svg class="tone-icon" aria-hidden="true"></svg></span>
        <p style="font-size: 9px">Small print</p>
        <div style="width: 500px">Too wide</div>
      </body></html>`);
      const a11y = (await findAccessibilityProblems(page)).join("\n");
      for (const expected of [
        "<html> has no lang",
        "2 <h1> elements",
        'duplicate id "x"',
        "points at missing #nowhere",
        "form control <input#x>",
        "form control <select#x>",
        "button <button>",
        "link <a>",
        "has no alt",
        '<svg class="chart"> is neither hidden nor a named image',
        "badge has no icon",
        "badge has no words",
      ])
        expect(a11y).toContain(expected);
      expect((await findTinyText(page)).join()).toContain('"Small print" is 9.0px');
      expect((await findOverflow(page)).join()).toMatch(/page is 5\d\dpx wide in a 360px viewport/);
    });
  });
});
