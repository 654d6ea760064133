/**
 * Chromium for the browser tests: the system's browser driven by playwright-core (never a
 * downloaded one), pages that collect console errors so a test can fail on any of them, and a
 * screenshot helper that writes under test-results/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

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
  /** Throws listing every console error seen, if any. */
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
    if (message.type() === "error") consoleErrors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => {
    consoleErrors.push(`page error: ${error.message}`);
  });
  return {
    page,
    context,
    consoleErrors,
    assertNoConsoleErrors() {
      if (consoleErrors.length > 0) {
        throw new Error(`console errors in the page:\n  ${consoleErrors.join("\n  ")}`);
      }
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
