/**
 * The payment page's download budget. Customers pay from phones on slow links, so the JavaScript a
 * first visit needs before the Pay button works (the entry chunk plus what index.html preloads:
 * React) is measured gzipped from a fresh production build and must stay within the budget the
 * README states. The sizes are those of the `.gz` files the build writes next to each asset (what a
 * server serving pre-compressed files sends). The history, jobs, payouts, refunds, account and
 * admin pages (with the admins' navigation, review queue and reconciliation), and the booking page's after-payment
 * panel, must stay out of that path (lazy chunks).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltWebApp, buildWebApp } from "../../support/web-build.ts";

/** Bytes, gzip level 9. About 10% above the sizes measured when set. */
const BUDGET = {
  /** Entry + preloaded chunks: everything the booking and payment pages run. Measured 80,838. */
  initialJs: 88_000,
  /** The app's own code in the entry chunk (React excluded). Measured 13,451. */
  appJs: 13_500,
  /** The one stylesheet. Measured 2,687. */
  css: 3_000,
} as const;

let built: BuiltWebApp;
let html: string;

beforeAll(async () => {
  built = await buildWebApp();
  html = readFileSync(join(built.dir, "index.html"), "utf8");
}, 120_000);

afterAll(() => built?.remove());

function gzipBytes(asset: string): number {
  return readFileSync(join(built.dir, `${asset}.gz`)).length;
}

/** The asset paths index.html loads with `attribute` on the given tag (e.g. script src). */
function referenced(pattern: RegExp): string[] {
  return [...html.matchAll(pattern)].map((match) => (match[1] ?? "").replace(/^\//, ""));
}

describe("the payment path's download budget (gzip)", () => {
  it("keeps the initial JavaScript, the app's own code and the CSS within budget", () => {
    const entry = referenced(/<script type="module"[^>]*src="([^"]+)"/g);
    const preloaded = referenced(/<link rel="modulepreload"[^>]*href="([^"]+)"/g);
    const styles = referenced(/<link rel="stylesheet"[^>]*href="([^"]+)"/g);
    expect(entry).toHaveLength(1);
    expect(preloaded.some((path) => path.includes("react"))).toBe(true);
    // The bundler may split app code the payment path shares with lazy pages into chunks of its own,
    // preloaded beside the entry: the app's code is the entry plus every preloaded chunk but React's.
    const appChunks = [...entry, ...preloaded.filter((path) => !/assets\/react-[\w-]+\.js$/.test(path))];

    const sizes = Object.fromEntries([...entry, ...preloaded, ...styles].map((a) => [a, gzipBytes(a)]));
    const initialJs = [...entry, ...preloaded].reduce((sum, asset) => sum + (sizes[asset] ?? 0), 0);
    const appJs = appChunks.reduce((sum, asset) => sum + (sizes[asset] ?? 0), 0);
    const css = styles.reduce((sum, asset) => sum + (sizes[asset] ?? 0), 0);
    // Printed so a change in size is visible in the test log, not only when it breaks the budget.
    console.info(`gzip bytes: initial JS ${initialJs} (app ${appJs}), CSS ${css}`, sizes);

    expect(initialJs, "entry + preloaded JS, gzip bytes").toBeLessThanOrEqual(BUDGET.initialJs);
    expect(appJs, "entry + preloaded app chunks, gzip bytes").toBeLessThanOrEqual(BUDGET.appJs);
    expect(css, "CSS, gzip bytes").toBeLessThanOrEqual(BUDGET.css);
  });

  it("writes a .gz and a .br copy of every script and stylesheet, each the same bytes", () => {
    const assets = readdirSync(join(built.dir, "assets")).filter((name) => /\.(?:js|css)$/.test(name));
    expect(assets.length).toBeGreaterThanOrEqual(5);
    for (const asset of assets) {
      const original = readFileSync(join(built.dir, "assets", asset));
      expect(gunzipSync(readFileSync(join(built.dir, "assets", `${asset}.gz`)))).toEqual(original);
      expect(brotliDecompressSync(readFileSync(join(built.dir, "assets", `${asset}.br`)))).toEqual(original);
    }
  });

  it("leaves the history, money-out and admin pages out of the initial download", () => {
    const pages = [
      "payment-history-page",
      "admin-area",
      "admin-dashboard-page",
      "admin-bookings-page",
      "jobs-page",
      "payouts-page",
      "refunds-page",
      "account-page",
      "booking-life-panel",
    ];
    const lazy = readdirSync(join(built.dir, "assets")).filter((name) =>
      new RegExp(`^(${pages.join("|")})-.*\\.js$`).test(name),
    );
    expect(lazy).toHaveLength(pages.length);
    for (const chunk of lazy) expect(html).not.toContain(chunk);
  });
});
