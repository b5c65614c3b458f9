import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { type App, buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createDatabase, type Database } from "../../src/db/client.js";

/** Set to a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres) to test on it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;

export interface TestDatabase {
  /** Environment that points the app at this database. */
  env: Record<string, string>;
  connectionString?: string;
  /**
   * Opens this database. Needed for a migrated PGlite database, which lives in memory and cannot be
   * reached through `env`; on PostgreSQL it opens a pool from `env` like the app does.
   */
  open?(): Promise<Database>;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * Start with every migration applied (cloned from the one migrated in test/support/global-setup.ts)
   * instead of empty. Falls back to an empty database when the run has no global setup.
   */
  migrated?: boolean;
  /**
   * PGlite only: keep it in a temporary directory instead of memory, so that every opening (each CLI
   * command, a second app) sees the same data. `env` then points there; `drop` removes it.
   */
  onDisk?: boolean;
}

/** The migrated template of this run, or null (no global setup, e.g. a script outside vitest). */
function provided<K extends "templateDatabase" | "pgliteDump">(key: K): string | null {
  try {
    return inject(key) ?? null;
  } catch {
    return null;
  }
}

let pgliteDump: Blob | undefined;
function loadPgliteDump(path: string): Blob {
  pgliteDump ??= new Blob([readFileSync(path)]);
  return pgliteDump;
}

/** A fresh database for one test file: its own PostgreSQL database, or in-memory PGlite; empty unless `migrated`. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    const dump = options.migrated ? provided("pgliteDump") : null;
    if (options.onDisk) return pgliteOnDisk(dump);
    return {
      env: { DATA_DIR: "memory://" },
      open: () =>
        createDatabase({ engine: "pglite", dataDir: "memory://", display: "PGlite at memory://" }, undefined, {
          ...(dump ? { loadDataDir: loadPgliteDump(dump) } : {}),
        }),
      drop: async () => {},
    };
  }
  const name = `crm_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const template = options.migrated ? provided("templateDatabase") : null;
  await adminQuery(`create database ${name}${template ? ` template ${template}` : ""}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const connectionString = url.toString();
  const env = { DATABASE_URL: connectionString, DB_POOL_MAX: "5" };
  return {
    env,
    connectionString,
    open: () => createDatabase(testConfig(env).database),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

async function pgliteOnDisk(dump: string | null): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "crm-test-pglite-"));
  const target = { engine: "pglite", dataDir, display: `PGlite at ${dataDir}` } as const;
  // Unpacks the migrated template into the directory (createDatabase puts PGlite in <dataDir>/pglite).
  if (dump) await (await createDatabase(target, undefined, { loadDataDir: loadPgliteDump(dump) })).close();
  return {
    env: { DATA_DIR: dataDir },
    open: () => createDatabase(target),
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function adminQuery(statement: string) {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export function testConfig(env: Record<string, string> = {}) {
  // No rest between attempts unless a test asks for it: most suites record several calls to one
  // customer within simulated minutes to reach another rule (src/modules/allocation/retry-interval.test.ts
  // tests the rest itself).
  return loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    SEED_ON_START: "false",
    MIN_MINUTES_BETWEEN_ATTEMPTS: "0",
    ...env,
  });
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Builds the app exactly as server.ts does, on a fresh migrated database, with extra environment. */
export async function buildTestApp(
  env: Record<string, string> = {},
  options: Parameters<typeof buildApp>[1] = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ migrated: true });
  // In-memory PGlite is handed over open (the app cannot find it from DATA_DIR); PostgreSQL goes
  // through DATABASE_URL as in production.
  const opened = !onPostgres && !options.database ? await database.open!() : undefined;
  const app = await buildApp(testConfig({ ...database.env, ...env }), {
    ...(opened ? { database: opened } : {}),
    ...options,
  });
  return {
    app,
    database,
    async close() {
      await app.close();
      await opened?.close();
      await database.drop();
    },
  };
}
