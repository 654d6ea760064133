import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.ts";

describe("serving the built web app", () => {
  let t: TestApp;
  let dir: string;
  const script = `console.log(${JSON.stringify("x".repeat(2000))});`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "malipo-web-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Malipo</title>");
    writeFileSync(join(dir, "assets", "app-abc123.js"), script);
    writeFileSync(join(dir, "assets", "app-abc123.js.gz"), gzipSync(script));
    t = await startTestApp({ webRoot: dir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the pre-compressed copy to a browser that accepts gzip, cached for good", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: "/assets/app-abc123.js",
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.rawPayload.length).toBeLessThan(script.length / 5);
    expect(res.headers["cache-control"]).toContain("immutable");
  });

  it("sends the plain file to a client that accepts no encoding", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: "/assets/app-abc123.js",
      headers: { "accept-encoding": "" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.payload).toBe(script);
  });
});
