/**
 * Builds web/ into a fresh temporary directory (so a test never touches web/dist), exactly as
 * `vite build` does: in a child process with NODE_ENV=production, since Vitest's NODE_ENV=test
 * would give React's development build.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface BuiltWebApp {
  /** Directory holding index.html and assets/, to serve as the app's web root. */
  dir: string;
  remove(): void;
}

export async function buildWebApp(): Promise<BuiltWebApp> {
  const dir = mkdtempSync(join(tmpdir(), "malipo-web-"));
  const vite = fileURLToPath(new URL("../../node_modules/vite/bin/vite.js", import.meta.url));
  const config = fileURLToPath(new URL("../../web/vite.config.ts", import.meta.url));
  try {
    await execFileAsync(
      process.execPath,
      [vite, "build", "--config", config, "--outDir", dir, "--emptyOutDir", "--logLevel", "warn"],
      { env: { ...process.env, NODE_ENV: "production" } },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
