import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("configuration", () => {
  it("has working defaults for development on the embedded database", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NODE_ENV: "development",
      PORT: 5100,
      HOST: "127.0.0.1",
      DB_POOL_MAX: 10,
      MIGRATE_ON_START: true,
      SEED_ON_START: true,
      database: { engine: "pglite", dataDir: "./data" },
    });
  });

  it("coerces numbers and booleans from strings, and treats empty values as unset", () => {
    const config = loadConfig({ PORT: "8080", MIGRATE_ON_START: "false", DB_NAME: "", TRUST_PROXY: "true" });
    expect(config.PORT).toBe(8080);
    expect(config.MIGRATE_ON_START).toBe(false);
    // `true` would believe any X-Forwarded-For; it is read as one proxy in front.
    expect(config.TRUST_PROXY).toBe(1);
    expect(config.database.engine).toBe("pglite");
  });

  it("lists every invalid variable in one error", () => {
    const problems = problemsOf({
      PORT: "abc",
      DB_POOL_MAX: "0",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://x",
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining(["PORT", "DB_POOL_MAX", "LOG_LEVEL", "DATABASE_URL"]),
    );
  });

  it("DATABASE_URL wins over DB_NAME; DB_* builds a URL with the seed's defaults", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u:p@db:5433/crm", DB_NAME: "other" }).database).toMatchObject({
      engine: "postgres",
      connectionString: "postgres://u:p@db:5433/crm",
      display: "db:5433/crm as u",
    });
    const fromParts = loadConfig({ DB_NAME: "crm_database", DB_PASSWORD: "s3cr:et" }).database;
    expect(fromParts).toMatchObject({
      engine: "postgres",
      connectionString: "postgres://postgres:s3cr%3Aet@127.0.0.1:5432/crm_database",
      poolMax: 10,
    });
    expect(fromParts.display).not.toContain("s3cr");
  });

  it("production requires JWT_SECRET (≥ 32 chars) and SMTP, and refuses CORS * and OTP_IN_RESPONSE", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      JWT_SECRET: "short",
      CORS_ORIGINS: "*",
      OTP_IN_RESPONSE: "true",
    });
    expect(problems.join("\n")).toMatch(/JWT_SECRET/);
    expect(problems.join("\n")).toMatch(/CORS_ORIGINS/);
    expect(problems.join("\n")).toMatch(/OTP_IN_RESPONSE/);
    expect(problems.join("\n")).toMatch(/EMAIL_USER/);
    const ok = loadConfig({ NODE_ENV: "production", JWT_SECRET: "k".repeat(32), EMAIL_USER: "ops@example.dz" });
    expect(ok).toMatchObject({ HOST: "0.0.0.0", SEED_ON_START: false, CORS_ORIGINS: "" });
  });

  it("TRUST_PROXY takes false, a hop count or proxy addresses; TRUSTED_NETWORKS takes CIDR blocks", () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.1, 172.16.0.0/12" }).TRUST_PROXY).toEqual(["10.0.0.1", "172.16.0.0/12"]);
    expect(loadConfig({ TRUSTED_NETWORKS: "10.0.0.0/8,2001:db8::/32" }).trustedNetworks).toEqual([
      "10.0.0.0/8",
      "2001:db8::/32",
    ]);
    expect(problemsOf({ TRUST_PROXY: "everyone" }).join("\n")).toMatch(/^TRUST_PROXY: /);
    expect(problemsOf({ TRUSTED_NETWORKS: "10.0.0.0/33, office" })).toHaveLength(2);
  });

  it("never prints a credential in a configuration error", () => {
    const problems = problemsOf({
      DATABASE_URL: "mysql://crm:hunter2-secret@db:3306/crm",
      REDIS_URL: "http://:redis-pass-9@cache:6379",
      PORT: "x",
    });
    const text = problems.join("\n");
    expect(text).toMatch(/DATABASE_URL/);
    expect(text).toMatch(/REDIS_URL/);
    expect(text).not.toContain("hunter2-secret");
    expect(text).not.toContain("redis-pass-9");
    expect(text).toContain("mysql://crm:***@db:3306/crm");
    expect(problemsOf({ JWT_SECRET: "", BCRYPT_COST: "99", EMAIL_PASS: "x" }).join("\n")).not.toContain("app-pass");
  });

  it("WEB_CONCURRENCY: the cores in production, 1 otherwise; PGlite serves one process only", () => {
    const pg = { DATABASE_URL: "postgres://crm@db:5432/crm" };
    const production = { NODE_ENV: "production", JWT_SECRET: "x".repeat(32), EMAIL_USER: "crm@example.com" };
    expect(loadConfig(pg).WEB_CONCURRENCY).toBe(1);
    expect(loadConfig({ ...pg, ...production }).WEB_CONCURRENCY).toBe(availableParallelism());
    expect(loadConfig({ ...pg, WEB_CONCURRENCY: "3" }).WEB_CONCURRENCY).toBe(3);
    expect(loadConfig(production).WEB_CONCURRENCY).toBe(1);
    expect(problemsOf({ WEB_CONCURRENCY: "2" })).toEqual([
      expect.stringMatching(/^WEB_CONCURRENCY: the embedded database \(PGlite\) serves one process/),
    ]);
    expect(problemsOf({ ...pg, WEB_CONCURRENCY: "0" })).toEqual([expect.stringMatching(/^WEB_CONCURRENCY: /)]);
  });

  it("pooler, direct and replica settings reach the database target; they need PostgreSQL", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://crm:pooled@pgbouncer:6432/crm",
      DB_PREPARED_STATEMENTS: "false",
      DATABASE_DIRECT_URL: "postgres://crm:direct@db:5432/crm",
      DATABASE_REPLICA_URL: "postgres://crm:replica@standby:5432/crm",
      REPLICA_MAX_LAG_SECONDS: "2.5",
    });
    expect(config.database).toMatchObject({
      engine: "postgres",
      preparedStatements: false,
      directConnectionString: "postgres://crm:direct@db:5432/crm",
      replica: {
        connectionString: "postgres://crm:replica@standby:5432/crm",
        display: "standby:5432/crm as crm",
        maxLagSeconds: 2.5,
      },
    });
    expect(loadConfig({ DATABASE_URL: "postgres://db/crm" }).database).toMatchObject({ preparedStatements: true });
    expect(loadConfig({ DATABASE_URL: "postgres://db/crm" }).database).not.toHaveProperty("replica");
    expect(problemsOf({ DATABASE_DIRECT_URL: "postgres://db/crm", DATABASE_REPLICA_URL: "postgres://r/crm" })).toEqual([
      "DATABASE_DIRECT_URL: only with PostgreSQL; set DATABASE_URL or DB_NAME too",
      "DATABASE_REPLICA_URL: only with PostgreSQL; set DATABASE_URL or DB_NAME too",
    ]);
    expect(problemsOf({ DATABASE_URL: "postgres://db/crm", REPLICA_MAX_LAG_SECONDS: "0" })).toEqual([
      expect.stringMatching(/^REPLICA_MAX_LAG_SECONDS: /),
    ]);
  });
});
