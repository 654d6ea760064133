/**
 * Chromium for the browser tests: the system's browser driven by playwright-core (never a
 * downloaded one), pages that collect console errors so a test can fail on any of them, a
 * screenshot helper that writes under test-results/, and the whole stack a web test runs against
 * (built web app, Daraja emulator, Malipo API).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { createDarajaClient } from "../../src/daraja/client.ts";
import type { EmulatorOptions } from "../../src/emulator/index.ts";
import { bearer, startTestApp, type TestApp } from "./app.ts";
import { EMULATOR_CREDENTIALS, startTestEmulator, type TestEmulator } from "./emulator.ts";
import { buildWebApp } from "./web-build.ts";

export { type BuiltWebApp, buildWebApp } from "./web-build.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";
const RESULTS_DIR = "test-results";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Every console error and uncaught page error seen so far, in order. */
  consoleErrors: string[];
  /**
   * Declares one console error the test provokes on purpose (Chromium logs every 4xx response as
   * "Failed to load resource"); each declaration excuses exactly one matching message.
   */
  expectConsoleError(pattern: RegExp): void;
  /** Throws listing every console error that was not expected, and every expected one that never came. */
  assertNoConsoleErrors(): void;
  close(): Promise<void>;
}

export interface PageOptions {
  baseURL: string;
  /** Defaults to a 360 px wide phone. */
  viewport?: { width: number; height: number };
}

export const PHONE_VIEWPORT = { width: 360, height: 740 };
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 };

/** A fresh context (no shared storage) with one page whose console errors are collected. */
export async function openPage(browser: Browser, options: PageOptions): Promise<WatchedPage> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    viewport: options.viewport ?? PHONE_VIEWPORT,
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    consoleErrors.push(`console: ${message.text()}${url ? ` (${url})` : ""}`);
  });
  page.on("pageerror", (error) => {
    consoleErrors.push(`page error: ${error.message}`);
  });
  const expected: RegExp[] = [];
  return {
    page,
    context,
    consoleErrors,
    expectConsoleError(pattern) {
      expected.push(pattern);
    },
    assertNoConsoleErrors() {
      const waiting = [...expected];
      const unexpected = consoleErrors.filter((text) => {
        const i = waiting.findIndex((pattern) => pattern.test(text));
        if (i === -1) return true;
        waiting.splice(i, 1);
        return false;
      });
      const problems = [
        ...unexpected.map((text) => `unexpected ${text}`),
        ...waiting.map((pattern) => `expected a console error matching ${pattern}, none came`),
      ];
      if (problems.length > 0) throw new Error(`console errors in the page:\n  ${problems.join("\n  ")}`);
    },
    close: () => context.close(),
  };
}

/** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name.replace(/[^a-z0-9-]+/gi, "-")}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface WebStack {
  /** The Malipo API serving the built web app. */
  t: TestApp;
  /** The Daraja emulator the API talks to (absent when started without one). */
  emulator: TestEmulator | null;
  browser: Browser;
  /** Opens a watched page, runs `steps`, saves a screenshot, and fails on any unexpected console error. */
  withPage(
    name: string,
    steps: (w: WatchedPage) => Promise<void>,
    options?: { viewport?: Viewport },
  ): Promise<void>;
  close(): Promise<void>;
}

type Viewport = { width: number; height: number };

/** `withPage` for pages of the app at `baseURL` (a web stack's, or any test app serving the web app). */
export function pageRunner(browser: Browser, baseURL: string): WebStack["withPage"] {
  return async (name, steps, pageOptions = {}) => {
    const w = await openPage(browser, {
      baseURL,
      ...(pageOptions.viewport ? { viewport: pageOptions.viewport } : {}),
    });
    try {
      await steps(w);
      await screenshot(w.page, name);
      w.assertNoConsoleErrors();
    } catch (error) {
      await screenshot(w.page, `${name}-failed`).catch(() => {});
      throw error;
    } finally {
      await w.close();
    }
  };
}

/**
 * Everything a browser test needs: the web app built, the emulator (unless `emulator: false`) on a
 * free port, a real Malipo API that pushes to it and serves the web app, and Chromium.
 */
export async function startWebStack(
  options: { emulator?: EmulatorOptions | false; config?: Record<string, string> } = {},
): Promise<WebStack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const web = await buildWebApp();
    cleanups.push(() => web.remove());
    const emulator = options.emulator === false ? null : await startTestEmulator(options.emulator);
    if (emulator) cleanups.push(() => emulator.close());
    const daraja = emulator
      ? createDarajaClient({
          baseUrl: emulator.baseUrl,
          consumerKey: EMULATOR_CREDENTIALS.consumerKey,
          consumerSecret: EMULATOR_CREDENTIALS.consumerSecret,
          shortcode: EMULATOR_CREDENTIALS.shortcode,
          passkey: EMULATOR_CREDENTIALS.passkey,
          transactionType: "CustomerPayBillOnline",
          timeoutMs: 5_000,
        })
      : undefined;
    const t = await startTestApp({
      webRoot: web.dir,
      ...(daraja ? { daraja } : {}),
      config: {
        ...(emulator ? { MPESA_EMULATOR_PORT: new URL(emulator.baseUrl).port } : {}),
        ...options.config,
      },
    });
    cleanups.push(async () => {
      await t.services.payments.stop();
      await t.close();
    });
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    return { t, emulator, browser, withPage: pageRunner(browser, t.url), close };
  } catch (error) {
    await close();
    throw error;
  }
}

// ── Steps through the web app ──────────────────────────────────────────────────────────────────

/** Signs up a customer through the form (with an M-Pesa number) and lands on their bookings. */
export async function signUp(
  w: WatchedPage,
  email: string,
  password = "correct-horse-battery",
): Promise<void> {
  const { page } = w;
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Akinyi Otieno");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("M-Pesa phone number (optional)").fill("0708 374 149");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "Your bookings" }).waitFor();
}

/** Logs in through the form; `landing` is the heading expected afterwards. */
export async function logIn(w: WatchedPage, email: string, password: string, landing: string): Promise<void> {
  const { page } = w;
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: landing, level: 1 }).waitFor();
}

/** Books `service` through the form and lands on the new booking's page. */
export async function book(w: WatchedPage, service: string): Promise<void> {
  const { page } = w;
  await page.getByRole("link", { name: "New booking" }).first().click();
  await page.getByLabel("Service").fill(service);
  await page.getByLabel("Location (optional)").fill("Kilimani");
  await page.getByRole("button", { name: "Book" }).click();
  await page.getByRole("heading", { name: service }).waitFor();
}

/** Waits until the control labelled `label` is marked invalid and its error text matches. */
export async function expectFieldError(w: WatchedPage, label: string, message: RegExp): Promise<void> {
  const control = w.page.getByLabel(label, { exact: true });
  await w.page.waitForFunction(
    (el) => el?.getAttribute("aria-invalid") === "true",
    await control.elementHandle(),
  );
  const describedBy = (await control.getAttribute("aria-describedby")) ?? "";
  const errorId = describedBy.split(" ").find((id) => id.endsWith("-error"));
  if (!errorId) throw new Error(`${label} is invalid but describes no error`);
  const text = (await w.page.locator(`[id="${errorId}"]`).textContent()) ?? "";
  if (!message.test(text)) throw new Error(`${label}: error "${text}" does not match ${message}`);
}

/** A `datetime-local` value three days ahead. */
export function futureLocalDateTime(): string {
  const date = new Date(Date.now() + 3 * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T10:30`;
}

/**
 * Pays a booking's fee through the API (no browser), waiting for the emulator's test number to
 * settle it; returns the final status ("completed" or "failed").
 */
export async function payByApi(
  app: FastifyInstance,
  token: string,
  bookingId: string,
  phoneNumber: string,
): Promise<string> {
  const push = await app.inject({
    method: "POST",
    url: "/api/v1/payments/mpesa/stkpush",
    headers: bearer(token),
    payload: { phoneNumber, bookingId, type: "booking_fee" },
  });
  if (push.statusCode !== 201) throw new Error(`stkpush: ${push.statusCode} ${push.body}`);
  const { transactionId } = (push.json() as { data: { transactionId: string } }).data;
  const until = Date.now() + 15_000;
  for (;;) {
    const res = await app.inject({
      method: "GET",
      url: `/api/v1/payments/mpesa/status/${transactionId}`,
      headers: bearer(token),
    });
    const { status } = (res.json() as { transaction: { status: string } }).transaction;
    if (status === "completed" || status === "failed") return status;
    if (Date.now() > until) throw new Error(`payment ${transactionId} still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
