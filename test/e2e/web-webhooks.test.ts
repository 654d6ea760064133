/**
 * The admin's webhooks page in Chromium, against the real API and its running delivery worker and a
 * real receiver on 127.0.0.1: add an endpoint (its secret shown once), send a test event that the
 * receiver first refuses, read the attempt in the log, resend it and see it delivered exactly as
 * signed, rotate the secret, disable and enable; sound on a phone and on a desktop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type RegisteredUser } from "../support/app.ts";
import { DESKTOP_VIEWPORT, logIn, PHONE_VIEWPORT, startWebStack, type WebStack } from "../support/browser.ts";
import { expectPageSound } from "../support/page-checks.ts";
import { type Receiver, startReceiver, verifyAsReceiver } from "../support/webhooks.ts";

let stack: WebStack;
let admin: RegisteredUser;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startWebStack({ emulator: false, config: { WEBHOOKS_TIMEOUT_MS: "2000" } });
  admin = await createAdmin(stack.t);
  receiver = await startReceiver();
  await stack.t.services.webhooks.start();
});

afterAll(async () => {
  await stack?.t.services.webhooks.stop();
  await receiver?.close();
  await stack?.close();
});

describe("the webhooks page", () => {
  it("adds an endpoint, shows its secret once, logs a refused test event and delivers it when resent", async () => {
    receiver.script({ status: 500, body: "receiver is starting" });
    await stack.withPage(
      "web-admin-webhooks",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.getByRole("link", { name: "Webhooks" }).click();
        await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
        await page.getByText("No endpoints yet.").waitFor();

        await page.getByLabel("URL", { exact: true }).fill(receiver.url);
        await page.getByLabel("Description (optional)").fill("Notifications service");
        await page.getByRole("checkbox", { name: "booking_fee.held" }).uncheck();
        await page.getByRole("button", { name: "Add endpoint" }).click();
        const notice = page.getByTestId("secret-notice");
        await notice.waitFor();
        const secret = (await page.getByTestId("secret").textContent()) ?? "";
        expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
        const row = page.getByTestId("endpoints").locator("tbody tr");
        expect(await row.count()).toBe(1);
        expect(await row.first().textContent()).toContain("Notifications service");
        expect(await row.first().textContent()).toContain("payment.completed, payment.failed");
        await expectPageSound(page, "webhooks page, secret shown");
        await page.getByRole("button", { name: "I have stored it" }).click();
        await notice.waitFor({ state: "detached" });
        expect(await page.content()).not.toContain(secret);

        // The first attempt is refused (500); the log shows it, and the retry waits 30 s.
        const deliveries = page.getByTestId("deliveries");
        await deliveries.getByText("No deliveries yet.").waitFor();
        await page.getByLabel("Test event").selectOption("reconciliation.discrepancy");
        await page.getByRole("button", { name: "Send test event" }).click();
        await deliveries.getByText("1 attempt, last 500").waitFor();
        await deliveries.getByText("1 attempt, last 500").click();
        await deliveries.getByText("receiver is starting").waitFor();
        expect(await deliveries.locator('tr[data-status="pending"]').count()).toBe(1);

        await deliveries
          .getByRole("button", { name: /^Resend reconciliation\.discrepancy evt_test_/ })
          .click();
        await deliveries.locator('tr[data-status="delivered"]').waitFor();
        await deliveries.getByText("2 attempts, last 200").waitFor();
        expect(receiver.received).toHaveLength(2);
        const [first, second] = receiver.received;
        expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
        expect(verifyAsReceiver(secret, second as NonNullable<typeof second>, new Date())).toMatchObject({
          type: "reconciliation.discrepancy",
        });
        await expectPageSound(page, "webhooks page, delivery log");
      },
      { viewport: DESKTOP_VIEWPORT },
    );
  });

  it("rotates the secret (both sign during the overlap), disables and enables the endpoint, on a phone", async () => {
    await stack.withPage(
      "web-admin-webhooks-phone",
      async (w) => {
        const { page } = w;
        await logIn(w, admin.user.email, admin.password, "Payments dashboard");
        await page.goto("/admin/webhooks");
        const row = page.getByTestId("endpoints").locator("tbody tr").first();
        await row.waitFor();
        await row.getByRole("button", { name: "Rotate secret" }).click();
        await page.getByRole("heading", { name: "New signing secret" }).waitFor();
        expect(await page.getByTestId("secret-notice").textContent()).toMatch(
          /The old secret keeps signing until/,
        );
        const rotated = (await page.getByTestId("secret").textContent()) ?? "";
        expect(rotated).toMatch(/^whsec_/);
        await expectPageSound(page, "webhooks page on a phone, new secret");
        await page.getByRole("button", { name: "I have stored it" }).click();

        await row.getByRole("button", { name: "Disable" }).click();
        await row.getByText("Disabled").waitFor();
        await row.getByRole("button", { name: /^Deliveries to / }).click();
        expect(await page.getByRole("button", { name: "Send test event" }).isDisabled()).toBe(true);
        await row.getByRole("button", { name: "Enable" }).click();
        await row.getByText("Enabled").waitFor();

        const before = receiver.received.length;
        await page.getByRole("button", { name: "Send test event" }).click();
        await page.getByTestId("deliveries").locator('tr[data-status="delivered"]').first().waitFor();
        await receiver.waitFor(before + 1);
        const request = receiver.received[before] as NonNullable<(typeof receiver.received)[0]>;
        expect(String(request.headers["webhook-signature"]).split(" ")).toHaveLength(2);
        expect(verifyAsReceiver(rotated, request, new Date())).toMatchObject({ type: "payment.completed" });
      },
      { viewport: PHONE_VIEWPORT },
    );
  });
});
