/**
 * Statement reconciliation in Chromium, on a payments stack (real API serving the built web app,
 * the real Daraja client, the emulator on the app's clock): one booking paid as usual, and money
 * paid for another at the shortcode while Malipo never heard of it. The admin uploads a malformed
 * file (the line is named, nothing imported), then the emulator's real statement: the run shows the
 * matched payment, the balances with the found money unexplained and the missing_here difference;
 * its CSV downloads with the session's token; M-Pesa's balance is asked and shown. On a phone the
 * money is attached to its booking from the review queue with a note (a wrong booking refused in
 * the server's words); the fee is then held, the books balance, and the same statement again
 * changes nothing.
 */
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_SHORTCODE } from "../../src/daraja/password.ts";
import { createAdmin, type RegisteredUser } from "../support/app.ts";
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
import { lifeRoutes, paidBooking } from "../support/escrow.ts";
import { expectPageSound } from "../support/page-checks.ts";
import { type PaymentsStack, startPaymentsStack } from "../support/payments.ts";
import { emulatorStatementCsv, paidAtShortcode, reconciliationRoutes } from "../support/statement.ts";

let web: BuiltWebApp;
let s: PaymentsStack | undefined;
let browser: Browser;
let withPage: WebStack["withPage"];
let admin: RegisteredUser;
const stack = () => s as PaymentsStack;

beforeAll(async () => {
  web = await buildWebApp();
  s = await startPaymentsStack({
    webRoot: web.dir,
    emulator: { now: () => (s ? s.clock.now() : new Date()) },
  });
  browser = await launchBrowser();
  withPage = pageRunner(browser, stack().t.url);
  admin = await createAdmin(stack().t);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close(); // checks the books
  web?.remove();
});

/** A file the reader refuses: its second line's Paid In is words. */
const MALFORMED = [
  "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn",
  "UAF0000001,2026-01-15 12:00:00,Pay Bill from 25470****149 - JOHN DOE,Completed,five hundred,",
  "",
].join("\r\n");

const upload = (name: string, text: string) => ({
  name,
  mimeType: "text/csv",
  buffer: Buffer.from(text, "utf8"),
});

/** The Nairobi date of `at`, as a date input takes it. */
const nairobiDate = (at: Date) => new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 10);

describe("the reconciliation pages", () => {
  it("import a statement, show its run and difference, and the found money is attached from the review queue", async () => {
    const s = stack();
    const r = reconciliationRoutes(s);
    const matched = await paidBooking(s);
    const c = await s.customer();
    const receipt = await paidAtShortcode(s, c.bookingId);
    const statement = await emulatorStatementCsv(s);
    expect(statement).toContain(receipt);
    const refused = await r.upload(admin, MALFORMED);
    expect(refused.statusCode).toBe(400);
    const lineError: string = refused.json().error.message;
    expect(lineError).toMatch(/^Statement line 2: /);
    let runId = "";

    await withPage(
      "web-admin-reconciliation-import",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.getByRole("link", { name: "Reconciliation", exact: true }).click();
        await page.getByRole("heading", { name: "Reconciliation", level: 1 }).waitFor();
        await page.getByText("No statement reconciled yet.").waitFor();
        await page.getByText("M-Pesa has not been asked yet.").waitFor();
        const file = page.getByLabel("Statement (CSV)");
        const reconcile = page.getByRole("button", { name: "Reconcile statement" });

        // Nothing chosen; then one date without the other; then a file the reader refuses.
        await reconcile.click();
        await page.getByText("Choose the statement file.").waitFor();
        await file.setInputFiles(upload("broken.csv", MALFORMED));
        await page.getByLabel("From", { exact: true }).fill("2026-01-01");
        await reconcile.click();
        await page.getByText("Give both dates, or neither.").waitFor();
        await page.getByLabel("From", { exact: true }).fill("");
        w.expectConsoleError(/400/);
        await reconcile.click();
        await page.getByText(lineError, { exact: true }).waitFor();
        expect(await file.getAttribute("aria-invalid")).toBe("true");
        await expectPageSound(page, "desktop: statement refused");
        await screenshot(page, "web-admin-reconciliation-refused");
        expect((await r.get(admin, "/admin/reconciliations")).json().total).toBe(0);

        // The real statement, with the day it covers.
        const today = nairobiDate(s.clock.now());
        await file.setInputFiles(upload("statement.csv", statement));
        await page.getByLabel("From", { exact: true }).fill(today);
        await page
          .getByLabel("To", { exact: true })
          .fill(nairobiDate(new Date(s.clock.now().getTime() + 86_400_000)));
        await reconcile.click();
        const result = page.getByTestId("import-result");
        await result.waitFor();
        expect(await result.textContent()).toContain("1 difference found.");
        expect(await result.textContent()).toContain("KES 500.00 unexplained (more on the statement)");
        const runs = page.getByTestId("runs").locator("tbody tr");
        await runs.first().waitFor();
        expect(await runs.count()).toBe(1);
        expect(await runs.first().textContent()).toContain("1 open of 1");
        runId = (await runs.first().getAttribute("data-run")) ?? "";

        // M-Pesa's balance, asked now: answered on its result URL, shown next to our books.
        await page.getByRole("button", { name: "Ask M-Pesa for the balance now" }).click();
        const balance = page.getByTestId("balance-check");
        await balance.getByText("Answered").waitFor({ timeout: 15_000 });
        const utility = s.emulator.emulator.accounts.get(SANDBOX_SHORTCODE).utilityCents;
        expect(await balance.textContent()).toContain(`Utility Account${formatCentsForTest(utility)}`);
        await expectPageSound(page, "desktop: runs and balance");
        await screenshot(page, "web-admin-reconciliations");

        // The run: its counts, the balances compared, and the difference.
        await result.getByRole("link", { name: "See the run" }).click();
        await page.getByRole("heading", { name: "Reconciliation run", level: 1 }).waitFor();
        const figure = (id: string) => page.getByTestId(id).textContent();
        expect(await figure("run-matched-payments")).toBe("1");
        expect(await figure("run-open")).toBe("1 of 1");
        expect(await figure("unexplained")).toBe("KES 500.00");
        expect(await figure("ledger-movement")).toBe("KES 500.00");
        const row = page.getByTestId("discrepancies").locator("tbody tr");
        expect(await row.count()).toBe(1);
        expect(await row.getAttribute("data-kind")).toBe("missing_here");
        const cell = (label: string) => row.locator(`td[data-label="${label}"]`).textContent();
        expect(await cell("Kind")).toMatch(/^Paid in, not in our books/);
        expect(await cell("Receipt")).toBe(receipt);
        expect(await cell("Amount")).toBe("KES 500.00");
        expect(await cell("Other party")).toMatch(/^25470\*\*\*\*149 - /);
        expect(await cell("Line")).toMatch(/^\d+$/);
        expect(await cell("State")).toBe("Open");
        await expectPageSound(page, "desktop: run");

        // The CSV, fetched with the session's token and saved as a file.
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.getByRole("button", { name: "Download CSV" }).click(),
        ]);
        expect(download.suggestedFilename()).toMatch(/\.csv$/);
        const csv = readFileSync(await download.path(), "utf8").split("\r\n");
        expect(csv[0]).toMatch(
          /^Run,Discrepancy,Kind,State,Resolution,Statement Line,Receipt No\.,Amount \(KES\)/,
        );
        expect(csv.filter((line) => line.includes(receipt))).toEqual([
          expect.stringMatching(new RegExp(`^${runId},[^,]+,missing_here,open,,\\d+,${receipt},500\\.00,`)),
        ]);
        await page.getByTestId("toast").filter({ hasText: "Downloaded" }).waitFor();
      },
      { viewport: DESKTOP_VIEWPORT },
    );
    expect(runId).not.toBe("");

    await withPage(
      "web-admin-reconciliation-attach-phone",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.goto(`/admin/reconciliations/${runId}`);
        await page.getByTestId("discrepancies").waitFor();
        await expectPageSound(page, "phone: run");
        await page.goto("/admin/reconciliations");
        await page.getByTestId("runs").waitFor();
        await expectPageSound(page, "phone: runs");

        await page.getByRole("link", { name: "Review 1 to decide", exact: true }).click();
        await page.getByTestId("review").waitFor();
        expect(await page.getByTestId("count-discrepancies").textContent()).toBe("1");
        expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual([
          "On the statement, not in our books (1)",
        ]);
        const item = page.getByTestId("review-discrepancy");
        const itemText = (await item.textContent()) ?? "";
        expect(itemText).toMatch(/^KES 500\.00 paid in by 25470\*\*\*\*149 - /);
        expect(itemText).toContain(`Receipt${receipt}`);
        expect(itemText).toContain("attach it to the booking it was for, or refund it");
        await expectPageSound(page, "phone: review with a difference");

        await item.getByRole("button", { name: /^Attach to a booking: / }).click();
        const dialog = page.getByTestId("decision-modal");
        const booking = dialog.getByLabel("Booking", { exact: true });
        expect(await booking.evaluate((el) => el === document.activeElement)).toBe(true);
        await dialog.getByRole("button", { name: "Attach" }).click();
        await dialog.getByText("Enter the booking this money was paid for.").waitFor();
        await dialog.getByText("Write a note: it is recorded with your decision.").waitFor();
        await expectPageSound(page, "phone: attach dialog");
        await screenshot(page, "web-admin-reconciliation-attach-dialog");

        // A booking that does not exist: the server's words, at the field.
        w.expectConsoleError(/404/);
        await booking.fill("bk_does_not_exist");
        await dialog.getByLabel("Note").fill("Paid while we were down; statement line shows it");
        await dialog.getByRole("button", { name: "Attach" }).click();
        await dialog.getByText("No booking with this id").waitFor();
        expect(await booking.getAttribute("aria-invalid")).toBe("true");

        await booking.fill(c.bookingId);
        await dialog.getByRole("button", { name: "Attach" }).click();
        await dialog.waitFor({ state: "detached" });
        await page.getByTestId("toast").filter({ hasText: "KES 500.00 attached to the booking." }).waitFor();
        await page.getByTestId("review-discrepancy").waitFor({ state: "detached" });
        await page.getByTestId("review-empty").waitFor();
      },
      { viewport: PHONE_VIEWPORT },
    );

    // The money is the booking's payment now: the fee held, the booking open to technicians.
    expect(await s.fee(c.bookingId)).toMatchObject({ status: "held" });
    expect((await lifeRoutes(s).booking(c.token, c.bookingId)).status).toBe("matching");
    const run = (await r.get(admin, `/admin/reconciliations/${runId}`)).json().data;
    expect(run.discrepancies).toEqual([
      expect.objectContaining({
        receipt,
        state: "resolved",
        resolution: "attached",
        resolvedBy: admin.user.id,
        resolutionNote: "Paid while we were down; statement line shows it",
        actions: [],
      }),
    ]);
    expect(run.discrepancies[0].transactionId).not.toBe(matched.transactionId);
    expect((await r.get(admin, "/admin/review")).json().data.counts.discrepancies).toBe(0);
    await assertBooksBalanced(s.t.db.db.kysely);

    await withPage(
      "web-admin-reconciliation-again",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.goto(`/admin/reconciliations/${runId}`);
        const row = page.getByTestId("discrepancies").locator("tbody tr");
        await row.filter({ hasText: "Attached to a booking" }).waitFor();
        expect(await row.textContent()).toContain("“Paid while we were down; statement line shows it”");
        expect(await row.getByRole("button").count()).toBe(0);

        // The same statement again: the same run, nothing written.
        await page.getByRole("link", { name: "← All runs" }).click();
        await page.getByLabel("Statement (CSV)").setInputFiles(upload("statement.csv", statement));
        const today = nairobiDate(s.clock.now());
        await page.getByLabel("From", { exact: true }).fill(today);
        await page
          .getByLabel("To", { exact: true })
          .fill(nairobiDate(new Date(s.clock.now().getTime() + 86_400_000)));
        await page.getByRole("button", { name: "Reconcile statement" }).click();
        await page
          .getByTestId("import-result")
          .filter({ hasText: "Already imported: this statement was reconciled before, and nothing changed." })
          .waitFor();
        expect(await page.getByTestId("runs").locator("tbody tr").count()).toBe(1);
      },
      { viewport: DESKTOP_VIEWPORT },
    );
    expect((await r.get(admin, "/admin/reconciliations")).json().total).toBe(1);
    await assertBooksBalanced(s.t.db.db.kysely);
  });
});

/** `KES 1,234.56`, written out here so the page's own formatting is what is tested. */
function formatCentsForTest(cents: number): string {
  const whole = Math.floor(cents / 100).toLocaleString("en-US");
  return `KES ${whole}.${String(cents % 100).padStart(2, "0")}`;
}
