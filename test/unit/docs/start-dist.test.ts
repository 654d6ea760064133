/**
 * The production start's V8 flags (`npm run start:dist`, which the benchmarks copy) are accepted
 * by the Node that runs the tests, and the README and operations guide show the same ones.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const root = new URL("../../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const startDist = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts[
  "start:dist"
] as string;
const flags = startDist.match(/--[a-z-]+=\d+/g) ?? [];

it("starts Node with the flags of start:dist", () => {
  expect(flags).toEqual(["--max-semi-space-size=2", "--heap-growing-percent=25"]);
  const run = spawnSync(process.execPath, [...flags, "-e", "process.exit(0)"], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
});

it("documents the same flags where the production start is shown", () => {
  for (const doc of ["README.md", "docs/operations.md"])
    expect(read(doc)).toContain(`node ${flags.join(" ")} dist/main.js`);
});
