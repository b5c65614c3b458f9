import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, onPostgres } from "./support/app.js";
import { closedPort } from "./support/fake-servers.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "crm-server-test-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function waitForHealth(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 100_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not answer /health:\n${output()}`);
}

describe("the server process", () => {
  it("starts on the embedded database, serves, and exits 0 on SIGTERM", async () => {
    const port = await closedPort();
    let output = "";
    const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: "",
        DB_NAME: "",
        NODE_ENV: "development",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    await waitForHealth(port, child, () => output);

    const ready = await (await fetch(`http://127.0.0.1:${port}/ready`)).json();
    expect(ready).toEqual({ status: "ready", database: "pglite", migrations: "up-to-date" });
    expect(output).toContain("database: pglite");

    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(output).toContain("shut down cleanly");
    // A cold start (initdb on disk, every migration, the sample data) took over 30 s on a loaded 2-core machine.
  }, 120_000);

  it.runIf(onPostgres)(
    "WEB_CONCURRENCY=2 on PostgreSQL: two workers serve, migrations run once, a dead worker is replaced, SIGTERM drains both and exits 0",
    async () => {
      const database = await createTestDatabase();
      const port = await closedPort();
      let output = "";
      const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
        env: {
          ...process.env,
          ...database.env,
          PORT: String(port),
          WEB_CONCURRENCY: "2",
          NODE_ENV: "test",
          LOG_LEVEL: "info",
          SEED_ON_START: "false",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (d) => (output += d));
      child.stderr?.on("data", (d) => (output += d));
      try {
        await waitForHealth(port, child, () => output);
        const lines = () =>
          output
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as { pid: number; msg: string; applied?: string[] });
        const deadline = Date.now() + 30_000;
        while (lines().filter((l) => l.msg === "worker started").length < 2 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const workers = new Set(
          lines()
            .filter((l) => l.msg === "worker started")
            .map((l) => l.pid),
        );
        expect(workers.size).toBe(2);
        expect(workers.has(child.pid!)).toBe(false);
        // Migrations ran once, in the primary, before the workers.
        const migrated = lines().filter((l) => l.applied);
        expect(migrated.map((l) => l.pid)).toEqual([child.pid]);

        // The primary deals connections round-robin: both workers answer (each access line has its pid).
        for (let i = 0; i < 8; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/ready`, { headers: { connection: "close" } });
          expect(res.status).toBe(200);
        }
        const answered = new Set(
          lines()
            .filter((l) => l.msg === "request completed")
            .map((l) => l.pid),
        );
        expect(answered).toEqual(workers);

        // A worker that dies is replaced, and then both serve again. A connection the
        // primary hands to the victim in the instant it dies is lost with it (node:cluster's
        // round-robin hand-off gets no answer from a dead worker; seen in CI as a request that hung until
        // the client's timeout), so each request here has its own timeout and only the ones after the
        // replacement must all succeed.
        const healthy = async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/health`, {
              headers: { connection: "close" },
              signal: AbortSignal.timeout(5_000),
            });
            return res.status === 200;
          } catch {
            return false;
          }
        };
        const [victim] = workers;
        process.kill(victim!, "SIGKILL");
        const started = () => lines().filter((l) => l.msg === "worker started");
        const replaced = Date.now() + 150_000;
        let servedMeanwhile = 0;
        while (started().length < 3 && Date.now() < replaced) {
          if (await healthy()) servedMeanwhile++;
          await new Promise((r) => setTimeout(r, 200));
        }
        // How many answered before the replacement started depends on how fast it starts (none when the
        // first request is the lost one and the replacement is up by its timeout): logged, not asserted.
        console.log(`WEB_CONCURRENCY test: ${servedMeanwhile} requests served while the worker was replaced`);
        const current = new Set(started().map((l) => l.pid));
        current.delete(victim!);
        expect(current.size).toBe(2);
        for (let i = 0; i < 6; i++) expect(await healthy()).toBe(true);

        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        child.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(
          lines()
            .filter((l) => l.msg === "shut down cleanly")
            .map((l) => l.pid)
            .sort(),
        ).toEqual([...current, child.pid!].sort());
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
        await database.drop();
      }
    },
    // Three workers start (each compiles the sources with tsx): over two minutes on a loaded 2-core machine.
    360_000,
  );
});
