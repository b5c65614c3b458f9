import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../src/cli/doctor.js";
import { createTestDatabase, onPostgres, TEST_DATABASE_URL, type TestDatabase } from "./support/app.js";
import { crm as crmInProcess } from "./support/cli.js";
import { closedPort, startFakePostgres, startRejectingSmtp } from "./support/fake-servers.js";

const run = promisify(execFile);
const byName = (results: Awaited<ReturnType<typeof runDoctor>>, name: string) => results.find((r) => r.name === name);

describe("crm doctor names the category of each failure", () => {
  // A working, migrated database for the checks that are about SMTP or Redis.
  let healthy: TestDatabase;
  beforeAll(async () => {
    healthy = await createTestDatabase({ migrated: true, onDisk: true });
  });
  afterAll(async () => healthy.drop());

  it("a closed port → PostgreSQL is not running", async () => {
    const port = await closedPort();
    const results = await runDoctor({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/crm_database` });
    expect(byName(results, "database")).toMatchObject({
      ok: false,
      category: "DATABASE_UNREACHABLE",
      message: `PostgreSQL is not running at 127.0.0.1:${port}`,
    });
  });

  it("a wrong password (28P01) → wrong password for user X", async () => {
    const fake = await startFakePostgres("28P01", 'password authentication failed for user "agent"');
    try {
      const results = await runDoctor({
        DB_NAME: "crm_database",
        DB_PORT: String(fake.port),
        DB_USER: "agent",
        DB_PASSWORD: "nope",
      });
      const db = byName(results, "database");
      expect(db).toMatchObject({
        ok: false,
        category: "DATABASE_AUTH_FAILED",
        message: "wrong password for user agent",
      });
      expect(JSON.stringify(results)).not.toContain("nope");
    } finally {
      await fake.close();
    }
  });

  it("a missing database (3D000) → createdb crm_database", async () => {
    const fake = onPostgres ? undefined : await startFakePostgres("3D000", 'database "crm_database" does not exist');
    try {
      const url = new URL(TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
      if (fake) url.port = String(fake.port);
      url.pathname = "/crm_database_missing_for_test";
      const results = await runDoctor({ DATABASE_URL: url.toString() });
      expect(byName(results, "database")).toMatchObject({
        ok: false,
        category: "DATABASE_MISSING",
        fix: "createdb crm_database_missing_for_test",
      });
    } finally {
      await fake?.close();
    }
  });

  it("an SMTP server answering 535 → use an app password", async () => {
    const smtp = await startRejectingSmtp();
    try {
      const results = await runDoctor({
        ...healthy.env,
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(smtp.port),
        EMAIL_USER: "someone@gmail.com",
        EMAIL_PASS: "plain-password",
      });
      expect(byName(results, "smtp")).toMatchObject({
        ok: false,
        category: "SMTP_AUTH_REJECTED",
        message: "the SMTP server rejected the login: for Gmail use a 16-character app password",
      });
    } finally {
      await smtp.close();
    }
  });

  it("an SMTP port with nothing listening → unreachable", async () => {
    const port = await closedPort();
    const results = await runDoctor({
      ...healthy.env,
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(port),
      EMAIL_USER: "x@y.z",
      EMAIL_PASS: "p",
    });
    expect(byName(results, "smtp")).toMatchObject({ ok: false, category: "SMTP_UNREACHABLE" });
  });

  it("Redis with nothing listening → not running", async () => {
    const port = await closedPort();
    const results = await runDoctor({ ...healthy.env, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(byName(results, "redis")).toMatchObject({
      ok: false,
      category: "REDIS_UNREACHABLE",
      message: `Redis is not running at 127.0.0.1:${port}`,
    });
  });

  it("invalid configuration lists every problem and stops", async () => {
    const results = await runDoctor({ PORT: "eighty", DB_POOL_MAX: "0" });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, category: "CONFIG_INVALID" });
    expect(results[0]?.message).toContain("PORT");
    expect(results[0]?.message).toContain("DB_POOL_MAX");
  });
});

describe("crm doctor on a healthy setup", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it("reports pending migrations on a fresh database, and the engine", async () => {
    const results = await runDoctor(db.env);
    expect(byName(results, "database")?.ok).toBe(true);
    expect(byName(results, "migrations")).toMatchObject({ ok: false, category: "MIGRATIONS_PENDING" });
  });
});

describe("the crm command", () => {
  // The one run of the real binary: bin wiring, exit code, stdout.
  const spawnCrm = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ["--import", "tsx", "src/cli/index.ts", ...args], { env: { ...process.env, ...env } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  // Everything else runs in-process (spawning tsx costs seconds per command on a busy machine).
  const crm = (args: string[], env: Record<string, string> = {}) => crmInProcess(args, env);

  it("exits non-zero from doctor when a check fails", async () => {
    const port = await closedPort();
    const r = await spawnCrm(["doctor"], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("[DATABASE_UNREACHABLE]");
  });

  it("refuses db reset in production and without --yes", async () => {
    const prod = await crm(["db", "reset", "--yes"], {
      NODE_ENV: "production",
      JWT_SECRET: "x".repeat(40),
      EMAIL_USER: "ops@example.dz",
      DATA_DIR: "memory://",
    });
    expect(prod.code).toBe(1);
    expect(prod.stderr).toContain("NODE_ENV=production");
    const unconfirmed = await crm(["db", "reset"], { DATA_DIR: "memory://" });
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain("--yes");
  });

  it("has --help for each command", async () => {
    for (const args of [["db", "migrate"], ["db", "status"], ["db", "seed"], ["db", "reset"], ["doctor"]]) {
      const r = await crm([...args, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: crm ${args.join(" ")}`);
    }
  });
});
