import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
});
