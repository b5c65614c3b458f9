import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import { createTestDatabase, onPostgres, type TestDatabase, testConfig } from "./support/app.js";
import { startTcpProxy } from "./support/tcp-proxy.js";

// Only a networked PostgreSQL can disappear under a running server; PGlite lives in the process.
describe.runIf(onPostgres)("when the database goes away", () => {
  let target: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let app: App;

  beforeAll(async () => {
    target = await createTestDatabase({ migrated: true });
    const url = new URL(target.connectionString!);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    app = await buildApp(testConfig({ DATABASE_URL: url.toString() }));
    app.get("/test/count", async () => {
      await app.database.db.execute(sql`select count(*) from audit_logs`);
      return { ok: true };
    });
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await target?.drop();
  });

  it("answers 503 DATABASE_UNAVAILABLE, stays up, and recovers by itself", async () => {
    expect((await app.inject({ method: "GET", url: "/test/count" })).statusCode).toBe(200);

    await proxy.cut();
    const down = await app.inject({ method: "GET", url: "/test/count" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({
      error: { code: "DATABASE_UNAVAILABLE", message: "The database is unavailable; try again shortly" },
      requestId: expect.any(String),
    });
    const ready = await app.inject({ method: "GET", url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      status: "not_ready",
      error: { code: "NOT_READY", details: [{ path: "database" }] },
    });
    expect((await app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);

    await proxy.restore();
    const back = await app.inject({ method: "GET", url: "/test/count" });
    expect(back.statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(200);
  });
});

describe.runIf(onPostgres)("a connection lost inside a transaction", () => {
  it("fails that request with 503 and does not crash the process", async () => {
    const target = await createTestDatabase({ migrated: true });
    const url = new URL(target.connectionString!);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const app = await buildApp(testConfig({ DATABASE_URL: url.toString() }));
    let releaseHeld: (() => void) | undefined;
    let held: () => void = () => undefined;
    const heldConnection = new Promise<void>((resolve) => (held = resolve));
    app.get("/test/held", async () => {
      await app.database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        held();
        await new Promise<void>((resolve) => (releaseHeld = resolve));
        await tx.execute(sql`select 1`);
      });
      return { ok: true };
    });
    try {
      const pending = app.inject({ method: "GET", url: "/test/held" });
      await heldConnection;
      await proxy.cut();
      // Let the socket's end reach the client while no statement is running on it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      releaseHeld?.();
      expect((await pending).statusCode).toBe(503);
      await proxy.restore();
      expect((await app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(200);
    } finally {
      await app.close();
      await proxy.close();
      await target.drop();
    }
  });
});
