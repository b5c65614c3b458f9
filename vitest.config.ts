import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Each file gets its own database, so files run in parallel; 2 cores here.
    pool: "forks",
    maxWorkers: 2,
    // Files share a worker's module cache instead of re-importing the app for each (the imports were
    // two thirds of the run's CPU). Files stay independent: each builds its own app and database, and
    // no test mocks modules.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    // Migrates once per run; files clone the result (see the file).
    globalSetup: ["test/support/global-setup.ts"],
  },
});
