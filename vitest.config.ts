import { defineConfig } from "vitest/config";

// One run, four projects: pure units, the integration suite once per database engine, and the
// browser tests. `npm test` runs them all and prints one summary.
export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration:sqlite",
          include: ["test/integration/**/*.test.ts"],
          env: { MALIPO_TEST_DB: "sqlite" },
        },
      },
      {
        extends: true,
        test: {
          name: "integration:postgres",
          include: ["test/integration/**/*.test.ts"],
          env: { MALIPO_TEST_DB: "postgres" },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 60_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
