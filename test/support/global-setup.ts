import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDatabase } from "../../src/db/client.js";
import { runMigrations } from "../../src/db/migrate.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL database migrated once for this run; each test file clones it. */
    templateDatabase: string | null;
    /** A migrated PGlite data directory (tarball); each test file loads it instead of initdb + migrate. */
    pgliteDump: string | null;
  }
}

/**
 * Migrates once per run instead of once per app: initdb plus twelve migrations cost seconds per test
 * file on PGlite, and cloning a template is a file copy on PostgreSQL. test/migrations.test.ts still
 * migrates an empty database from scratch.
 */
export default async function setup(project: TestProject) {
  const server = process.env.TEST_DATABASE_URL || undefined;
  if (server) {
    // Unique per run: other runs may share the server, and a template must have no other sessions.
    const name = `crm_template_${process.pid}_${randomBytes(3).toString("hex")}`;
    await admin(server, `create database ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const database = await createDatabase({
      engine: "postgres",
      connectionString: url.toString(),
      poolMax: 1,
      display: name,
    });
    try {
      await runMigrations(database);
    } finally {
      await database.close();
    }
    project.provide("templateDatabase", name);
    project.provide("pgliteDump", null);
    return async () => admin(server, `drop database if exists ${name} with (force)`);
  }

  const database = await createDatabase({ engine: "pglite", dataDir: "memory://", display: "template" });
  const dir = mkdtempSync(path.join(tmpdir(), "crm-pglite-template-"));
  try {
    await runMigrations(database);
    const dump = await database.dumpDataDir!();
    writeFileSync(path.join(dir, "datadir.tar"), Buffer.from(await dump.arrayBuffer()));
  } finally {
    await database.close();
  }
  project.provide("templateDatabase", null);
  project.provide("pgliteDump", path.join(dir, "datadir.tar"));
  return async () => rmSync(dir, { recursive: true, force: true });
}

async function admin(connectionString: string, statement: string) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
