import { sql } from "drizzle-orm";
import type { Config } from "../config.js";
import { createDatabase, type Database, queryRows } from "../db/client.js";
import { countRowsPerTable, getMigrationStatus, runMigrations } from "../db/migrate.js";
import { runSeeds } from "../db/seed.js";
import { createServices } from "../services.js";
import { cliLogger } from "./logger.js";

type Print = (line: string) => void;

export async function withDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await createDatabase(config.database);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function dbMigrate(config: Config, print: Print) {
  return withDatabase(config, async (database) => {
    const applied = await runMigrations(database);
    print(applied.length > 0 ? `applied: ${applied.join(", ")}` : "already up to date");
  });
}

export function dbStatus(config: Config, print: Print) {
  return withDatabase(config, async (database) => {
    const [version] = await queryRows<{ server_version: string }>(database.db, sql`show server_version`);
    const status = await getMigrationStatus(database.db);
    print(`engine:     ${database.engine} (PostgreSQL ${version?.server_version ?? "?"})`);
    print(`database:   ${database.display}`);
    print(`migrations: ${status.applied.length} applied, ${status.pending.length} pending`);
    for (const m of status.applied) print(`  ✔ ${m.tag}`);
    for (const tag of status.pending) print(`  … ${tag} (pending)`);
    const counts = await countRowsPerTable(database.db);
    print(counts.length > 0 ? "rows:" : "rows:       no tables yet (run `crm db migrate`)");
    for (const { table, rows } of counts) print(`  ${table.padEnd(28)} ${rows}`);
  });
}

export function dbSeed(config: Config, print: Print) {
  return withDatabase(config, async (database) => {
    await runMigrations(database);
    const services = createServices(database.db, config, cliLogger);
    const report = await runSeeds({ services, log: print }).finally(() => services.close());
    if (report.length === 0) print("nothing to seed yet");
    for (const r of report) print(`${r.name}: ${r.created} created`);
  });
}

/** Drops every table and re-applies the migrations; refused in production whatever the flags. */
export function dbReset(config: Config, print: Print) {
  return withDatabase(config, async (database) => {
    await database.db.execute(sql`drop schema if exists drizzle cascade`);
    await database.db.execute(sql`drop schema if exists public cascade`);
    await database.db.execute(sql`create schema public`);
    const applied = await runMigrations(database);
    print(`database reset; applied: ${applied.join(", ")}`);
  });
}
