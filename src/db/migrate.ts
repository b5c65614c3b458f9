import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
// Both drivers' migrators are the same two lines (read the journal, run dialect.migrate on the
// session), so one serves PGlite and node-postgres alike.
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { type Database, type Db, queryRows, toNumber } from "./client.js";
import { LOCK_KEYS } from "./lock-keys.js";

/** drizzle/ at the project root, from src/db (tsx) or dist/db (build) alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Session-level advisory lock key: two instances starting together must not both migrate. */
const MIGRATION_LOCK_KEY = LOCK_KEYS.migrations;

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export interface MigrationStatus {
  applied: { tag: string; appliedAt: string }[];
  pending: string[];
  total: number;
}

function readJournal(): JournalEntry[] {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

export async function getMigrationStatus(db: Db): Promise<MigrationStatus> {
  const entries = readJournal();
  const [exists] = await queryRows<{ t: string | null }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`,
  );
  const appliedRows = exists?.t
    ? await queryRows<{ created_at: unknown }>(
        db,
        sql`select created_at from drizzle.__drizzle_migrations order by created_at`,
      )
    : [];
  const appliedMillis = appliedRows.map((r) => toNumber(r.created_at));
  const last = appliedMillis.length > 0 ? Math.max(...appliedMillis) : Number.NEGATIVE_INFINITY;
  return {
    applied: entries
      .filter((e) => appliedMillis.includes(e.when))
      .map((e) => ({ tag: e.tag, appliedAt: new Date(e.when).toISOString() })),
    // Drizzle applies every migration newer than the last one recorded, so that is what is pending.
    pending: entries.filter((e) => e.when > last).map((e) => e.tag),
    total: entries.length,
  };
}

/** Calls in this process queue here; the advisory lock covers other processes (and PGlite has none). */
const inProcessQueue = new WeakMap<Database, Promise<unknown>>();

/** Applies pending migrations under an advisory lock; returns the tags it applied. */
export function runMigrations(database: Database): Promise<string[]> {
  const previous = inProcessQueue.get(database) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(() => migrateLocked(database));
  inProcessQueue.set(database, next);
  return next;
}

async function migrateLocked(database: Database): Promise<string[]> {
  return database.withConnection(async (db) => {
    const locking = database.engine === "postgres";
    if (locking) await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      const before = await getMigrationStatus(db);
      if (before.pending.length === 0) return [];
      await migrate(db as unknown as NodePgDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
      return before.pending;
    } finally {
      if (locking) await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  });
}

/** Row count per application table, for `crm db status`. */
export async function countRowsPerTable(db: Db): Promise<{ table: string; rows: number }[]> {
  const tables = await queryRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const counts: { table: string; rows: number }[] = [];
  for (const { table_name } of tables) {
    const [row] = await queryRows<{ n: unknown }>(db, sql`select count(*) as n from ${sql.identifier(table_name)}`);
    counts.push({ table: table_name, rows: toNumber(row?.n) });
  }
  return counts;
}
