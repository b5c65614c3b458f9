import { randomBytes } from "node:crypto";
import pg from "pg";
import { type App, buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";

/** Set to a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres) to test on it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;

export interface TestDatabase {
  /** Environment that points the app at this database. */
  env: Record<string, string>;
  connectionString?: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file: its own PostgreSQL database, or in-memory PGlite. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) return { env: { DATA_DIR: "memory://" }, drop: async () => {} };
  const name = `crm_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const connectionString = url.toString();
  return {
    env: { DATABASE_URL: connectionString, DB_POOL_MAX: "5" },
    connectionString,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export function testConfig(env: Record<string, string> = {}) {
  return loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", SEED_ON_START: "false", ...env });
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Builds the app exactly as server.ts does, on a fresh database, with extra environment. */
export async function buildTestApp(
  env: Record<string, string> = {},
  options: Parameters<typeof buildApp>[1] = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const app = await buildApp(testConfig({ ...database.env, ...env }), options);
  return {
    app,
    database,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
