/**
 * Chromium for the browser tests: the system's browser driven by playwright-core (never a
 * downloaded one), pages that collect console errors so a test can fail on any of them, and a
 * screenshot helper that writes under test-results/.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const execFileAsync = promisify(execFile);

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

export interface BuiltWebApp {
  /** Directory holding index.html and assets/, to serve as the app's web root. */
  dir: string;
  remove(): void;
}

/**
 * Builds web/ into a fresh temporary directory (so a test never touches web/dist), exactly as
 * `vite build` does: in a child process with NODE_ENV=production, since Vitest's NODE_ENV=test
 * would give React's development build.
 */
export async function buildWebApp(): Promise<BuiltWebApp> {
  const dir = mkdtempSync(join(tmpdir(), "malipo-web-"));
  const vite = fileURLToPath(new URL("../../node_modules/vite/bin/vite.js", import.meta.url));
  const config = fileURLToPath(new URL("../../web/vite.config.ts", import.meta.url));
  await execFileAsync(
    process.execPath,
    [vite, "build", "--config", config, "--outDir", dir, "--emptyOutDir", "--logLevel", "warn"],
    { env: { ...process.env, NODE_ENV: "production" } },
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
