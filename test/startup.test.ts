import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { DEMO_STAFF } from "../src/modules/users/seed.js";
import { FAST_AUTH_ENV } from "./support/accounts.js";
import { createTestDatabase, onPostgres, TEST_DATABASE_URL, testConfig } from "./support/app.js";
import { closedPort } from "./support/fake-servers.js";

const toDrop: string[] = [];
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
afterAll(async () => {
  if (!onPostgres) return;
  await admin(async (c) => {
    for (const name of toDrop) await c.query(`drop database if exists ${name} with (force)`);
  });
});

const urlFor = (database: string, user?: string) => {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${database}`;
  if (user) url.username = user;
  return url.toString();
};

/** Runs src/server.ts until it exits (start-up failures) and returns its exit code and output. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      env: { ...process.env, DB_NAME: "", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 40_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.skipIf(!onPostgres)("start-up on PostgreSQL", () => {
  it("two instances starting at once on a fresh database both succeed, seeding once", async () => {
    const database = await createTestDatabase();
    const config = testConfig({ ...database.env, ...FAST_AUTH_ENV, SEED_ON_START: "true" });
    try {
      const apps = await Promise.all([buildApp(config), buildApp(config), buildApp(config)]);
      const c = new pg.Client({ connectionString: database.connectionString });
      await c.connect();
      const count = (await c.query("select count(*)::int as n from users where email like '%@demo.crm.dz'")).rows[0]
        .n as number;
      await c.end();
      expect(count).toBe(DEMO_STAFF.length);
      await Promise.all(apps.map((a) => a.close()));
    } finally {
      await database.drop();
    }
  }, 120_000);

  it("creates the database named in DATABASE_URL when it is missing and the role may, and logs it", async () => {
    const name = `crm_created_${randomBytes(4).toString("hex")}`;
    toDrop.push(name);
    const lines: string[] = [];
    const app = await buildApp(testConfig({ DATABASE_URL: urlFor(name), LOG_LEVEL: "info" }), {
      logStream: { write: (l) => lines.push(l) },
    });
    try {
      expect((await app.inject({ method: "GET", url: "/ready" })).json()).toMatchObject({
        status: "ready",
        migrations: "up-to-date",
      });
      expect(lines.join("")).toContain(`database ${name} did not exist: created it`);
    } finally {
      await app.close();
    }
  }, 60_000);

  it("a start-up failure names the category and the fix, as crm doctor does", async () => {
    const port = await closedPort();
    const unreachable = await runServer({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/crm`,
      NODE_ENV: "test",
      PORT: String(await closedPort()),
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toContain(`[DATABASE_UNREACHABLE] PostgreSQL is not running at 127.0.0.1:${port}`);
    expect(unreachable.output).toContain("fix: start PostgreSQL");

    // A role without CREATEDB cannot have the missing database made for it: DATABASE_MISSING and its fix.
    await admin(async (c) => {
      await c.query(
        "do $$ begin if not exists (select 1 from pg_roles where rolname = 'crm_test_nocreate') then create role crm_test_nocreate login nocreatedb; end if; end $$",
      );
    });
    const name = `crm_missing_${randomBytes(4).toString("hex")}`;
    const missing = await runServer({
      DATABASE_URL: urlFor(name, "crm_test_nocreate"),
      NODE_ENV: "test",
      PORT: String(await closedPort()),
    });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain(`[DATABASE_MISSING] database ${name} does not exist`);
    expect(missing.output).toContain(`fix: createdb ${name}`);
  }, 90_000);

  it("a failed seed insert never prints its bound parameters (a bcrypt hash among them)", async () => {
    const database = await createTestDatabase();
    try {
      // Migrated, then every insert into users refused, so the demo-staff seed fails at start.
      const app = await buildApp(testConfig(database.env));
      await app.close();
      const c = new pg.Client({ connectionString: database.connectionString });
      await c.connect();
      await c.query(
        `create function refuse_insert() returns trigger language plpgsql as $$ begin raise exception 'inserts refused by the test'; end $$`,
      );
      await c.query("create trigger refuse_users before insert on users for each row execute function refuse_insert()");
      await c.end();
      const run = await runServer({
        DATABASE_URL: database.connectionString!,
        NODE_ENV: "development",
        SEED_ON_START: "true",
        BCRYPT_COST: "4",
        PORT: String(await closedPort()),
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain("failed to start");
      expect(run.output).toContain("inserts refused by the test");
      expect(run.output).not.toMatch(/\$2[aby]\$/);
      expect(run.output).not.toContain("params:");
      expect(run.output).not.toContain("Demo-Admin");
    } finally {
      await database.drop();
    }
  }, 90_000);
});
