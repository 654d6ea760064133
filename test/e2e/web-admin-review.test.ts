/**
 * The admin review queue in Chromium, on a payments stack (real API serving the built web app, the
 * real Daraja client, the emulator): money held in suspense (paid after its attempt went to review),
 * a push never confirmed (a payment to check), and two payouts the emulator refused (2040, an
 * unregistered number). The admin finds them grouped with their counts and the suspense total, and
 * decides each with a note: the fee is held with the suspense money, one payout is sent again, and a
 * refusal (someone decided first) is shown in the server's words. Each decided item leaves the list,
 * the decision shows in the API with the admin and note, and the books balance.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createAdmin, type RegisteredUser } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import {
  type BuiltWebApp,
  buildWebApp,
  DESKTOP_VIEWPORT,
  launchBrowser,
  logIn,
  PHONE_VIEWPORT,
  pageRunner,
  screenshot,
  type WebStack,
} from "../support/browser.ts";
import { completedBooking, lifeRoutes } from "../support/escrow.ts";
import { expectPageSound } from "../support/page-checks.ts";
import { type PaymentsStack, startPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";
import { moneyInSuspense, unconfirmedPush } from "../support/review.ts";

const HOUR = 3_600_000;
/** The emulator's unregistered payout number: B2C fails with 2040. */
const UNREGISTERED = "254700008002";

let web: BuiltWebApp;
let s: PaymentsStack;
let p: PayoutsDriver;
let browser: Browser;
let withPage: WebStack["withPage"];
let admin: RegisteredUser;

beforeAll(async () => {
  web = await buildWebApp();
  // Prompts stay open until the test answers them, however far the app's clock moves.
  s = await startPaymentsStack({ webRoot: web.dir, emulator: { promptTimeoutMs: 100 * HOUR } });
  p = payoutsDriver(s);
  browser = await launchBrowser();
  withPage = pageRunner(browser, s.t.url);
  admin = await createAdmin(s.t);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close(); // checks the books
  web?.remove();
});

describe("the admin review page", () => {
  it("lists what must be decided; each decision, with a note, takes effect and leaves the list", async () => {
    const suspense = await moneyInSuspense(s);
    const unconfirmed = await unconfirmedPush(s);
    const refused = [await completedBooking(s, { phone: UNREGISTERED })];
    refused.push(await completedBooking(s, { phone: UNREGISTERED }));
    await p.sweep();
    for (const { payoutId } of refused) await p.waitFor({ kind: "payout", id: payoutId }, ["failed"]);
    const [retried, raced] = refused.map(({ payoutId }) => payoutId);
    if (!retried || !raced) throw new Error("two refused payouts expected");

    // On a phone first: everything to decide, grouped, with the counts and the money in suspense.
    await withPage(
      "web-admin-review-phone",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.getByRole("link", { name: "Review 4 to decide", exact: true }).click();
        await page.getByRole("heading", { name: "Review", level: 1 }).waitFor();
        await page.getByTestId("review").waitFor();
        const figure = (id: string) => page.getByTestId(id).textContent();
        expect(await figure("suspense-total")).toBe("KES 500");
        expect(await figure("count-payments")).toBe("1");
        expect(await figure("count-payment-reviews")).toBe("1");
        expect(await figure("count-payouts")).toBe("2");
        expect(await figure("count-refunds")).toBe("0");
        expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual([
          "Payments under review (1)",
          "Payments to check (1)",
          "Payouts (2)",
        ]);

        const payment = page.getByTestId("review-payment");
        const paymentText = await payment.textContent();
        expect(paymentText).toContain(`Payment of KES 500 from 2547****${suspense.phone.slice(-4)}`);
        expect(paymentText).toContain("In suspenseKES 500");
        expect(paymentText).toMatch(/Receipt[A-Z0-9]{10}/);
        expect(paymentText).toContain("Whyno final answer from M-Pesa within 24 hours");
        expect(paymentText).toContain("M-Pesa took KES 500; it pays for nothing until you decide");
        const check = await page.getByTestId("review-payment-review").textContent();
        expect(check).toContain(`Payment of KES 500 to checkPayment${unconfirmed.transactionId}`);
        expect(check).toContain("Look for it on the M-Pesa statement");
        const payouts = page.getByTestId("review-payout");
        expect(await payouts.count()).toBe(2);
        const payoutText = await payouts.first().textContent();
        expect(payoutText).toContain("Payout of KES 450 to 2547****8002");
        expect(payoutText).toContain("Failed, still owed");
        expect(payoutText).toContain("M-Pesa saidM-Pesa result 2040: Credit Party customer type");
        await expectPageSound(page, "phone: review queue");
        await screenshot(page, "web-admin-review-phone-list");
      },
      { viewport: PHONE_VIEWPORT },
    );

    await withPage(
      "web-admin-review-decide",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.goto("/admin/review");
        const dialog = page.getByTestId("decision-modal");
        const note = dialog.getByLabel("Note");
        const toast = (text: string) => page.getByTestId("toast").filter({ hasText: text }).waitFor();

        // Hold the fee with the suspense money: a note is required first.
        await page.getByRole("button", { name: /^Hold the fee: Payment of KES 500/ }).click();
        expect(await dialog.getByTestId("decision-effect").textContent()).toBe(
          "KES 500 moves from suspense to escrow: the booking fee is held and the booking opens to technicians.",
        );
        expect(await note.evaluate((el) => el === document.activeElement)).toBe(true);
        await dialog.getByRole("button", { name: "Hold the fee" }).click();
        await dialog.getByText("Write a note: it is recorded with your decision.").waitFor();
        expect(await note.getAttribute("aria-invalid")).toBe("true");
        await expectPageSound(page, "decision dialog");
        await screenshot(page, "web-admin-review-dialog");
        await note.fill("Statement shows KES 500 from the customer");
        await dialog.getByRole("button", { name: "Hold the fee" }).click();
        await dialog.waitFor({ state: "detached" });
        await toast("KES 500 held as the booking fee.");
        await page.getByTestId("review-payment").waitFor({ state: "detached" });
        await page.getByRole("link", { name: "Review 3 to decide", exact: true }).waitFor();
        expect(await page.getByTestId("suspense-total").textContent()).toBe("KES 0");

        // Send one payout again, with the keyboard alone.
        const again = page.locator(`[id="payout-${retried}"]`).getByRole("button", { name: /^Send again/ });
        await again.focus();
        await page.keyboard.press("Enter");
        await note.waitFor();
        await page.keyboard.type("Technician registered the number with M-Pesa");
        await page.keyboard.press("Tab");
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Send again");
        await page.keyboard.press("Enter");
        await dialog.waitFor({ state: "detached" });
        await toast("Payout of KES 450 queued to send again.");
        await page.locator(`[id="payout-${retried}"]`).waitFor({ state: "detached" });

        // Another admin settles the other payout while this one's dialog is open: the refusal is
        // shown in the server's words, and closing shows the queue as it is now.
        await page.getByRole("button", { name: /^Mark as paid: Payout of KES 450/ }).click();
        const first = await p.admin(admin, "POST", `/admin/payouts/${raced}/resolve`, {
          outcome: "succeeded",
          note: "Seen on the statement by the other admin",
        });
        expect(first.statusCode, first.body).toBe(200);
        w.expectConsoleError(/409/);
        await note.fill("Statement shows it paid");
        await dialog.getByRole("button", { name: "Mark as paid" }).click();
        await dialog
          .getByRole("alert")
          .filter({ hasText: "This payout cannot be resolved so: already succeeded" })
          .waitFor();
        await dialog.getByRole("button", { name: "Not now" }).click();
        await dialog.waitFor({ state: "detached" });
        await page.getByTestId("review-payouts").waitFor({ state: "detached" });
        await page.getByRole("link", { name: "Review 1 to decide", exact: true }).waitFor();
        expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual([
          "Payments to check (1)",
        ]);
        await expectPageSound(page, "desktop: review queue after the decisions");

        // The payment check whose money never came: closed with what the admin found.
        await page.getByRole("button", { name: /^Close the check: Payment of KES 500 to check/ }).click();
        expect(await dialog.getByTestId("decision-effect").textContent()).toContain("no money moves");
        await note.fill("Not on the statement of 1 December: the prompt was never paid");
        await dialog.getByRole("button", { name: "Close the check" }).click();
        await dialog.waitFor({ state: "detached" });
        await toast("Payment check closed.");
        await page.getByTestId("review-empty").waitFor();
      },
      { viewport: DESKTOP_VIEWPORT },
    );

    // The decisions took effect, recorded with the admin and the note.
    const booking = await lifeRoutes(s).booking(suspense.c.token, suspense.c.bookingId);
    expect(booking).toMatchObject({ status: "matching", bookingFee: { status: "held" } });
    const get = async (url: string) => {
      const res = await s.t.app.inject({ method: "GET", url: `/api/v1${url}`, headers: bearer(admin.token) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data;
    };
    expect((await get(`/payouts/${retried}`)).payout).toMatchObject({ status: "queued" });
    expect((await get(`/payouts/${raced}`)).payout).toMatchObject({ status: "succeeded" });
    expect(await p.events({ kind: "payout", id: retried })).toContainEqual(
      expect.objectContaining({
        type: "admin_retry",
        to: "queued",
        actor: admin.user.id,
        data: expect.objectContaining({ note: "Technician registered the number with M-Pesa" }),
      }),
    );
    const decided = await s.t.db.db.kysely
      .selectFrom("payment_events")
      .select(["to_status", "data"])
      .where("transaction_id", "=", suspense.transactionId)
      .where("type", "=", "admin_resolve")
      .execute();
    expect(decided.map((e) => ({ to: e.to_status, data: JSON.parse(e.data) }))).toEqual([
      {
        to: "completed",
        data: expect.objectContaining({
          action: "hold_fee",
          adminId: admin.user.id,
          note: "Statement shows KES 500 from the customer",
        }),
      },
    ]);
    const closed = await s.t.db.db.kysely
      .selectFrom("payment_reviews")
      .select(["resolved_by", "resolution_note"])
      .where("transaction_id", "=", unconfirmed.transactionId)
      .executeTakeFirstOrThrow();
    expect(closed).toEqual({
      resolved_by: admin.user.id,
      resolution_note: "Not on the statement of 1 December: the prompt was never paid",
    });
    const queue = await get("/admin/review");
    expect(queue.counts).toEqual({
      payments: 0,
      paymentReviews: 0,
      payouts: 0,
      refunds: 0,
      discrepancies: 0,
    });
    await assertBooksBalanced(s.t.db.db.kysely);
  });
});
