import { sql } from "drizzle-orm";
import { type Database, type Db, queryRows } from "./client.js";

const runningHere = new Map<object, Set<number>>();

/**
 * Runs `fn` only if nobody else is running the job `key`: across instances through a session-level
 * advisory try-lock on PostgreSQL, and in this process through a flag (PGlite has one connection and
 * no other process, where the advisory lock would simply be re-entrant). Returns undefined when skipped.
 */
export async function withJobLock<T>(
  database: Pick<Database, "withConnection" | "engine">,
  key: number,
  fn: (db: Db) => Promise<T>,
): Promise<T | undefined> {
  const keys = runningHere.get(database) ?? new Set<number>();
  runningHere.set(database, keys);
  if (keys.has(key)) return undefined;
  keys.add(key);
  try {
    return await database.withConnection(async (db) => {
      const locking = database.engine === "postgres";
      if (locking) {
        const [row] = await queryRows<{ ok: boolean }>(db, sql`select pg_try_advisory_lock(${key}) as ok`);
        if (!row?.ok) return undefined;
      }
      try {
        return await fn(db);
      } finally {
        if (locking) await db.execute(sql`select pg_advisory_unlock(${key})`);
      }
    });
  } finally {
    keys.delete(key);
  }
}

/**
 * Runs `fn` while holding the session-level advisory lock `key`, waiting for it if another instance
 * holds it (PGlite has one process: it simply runs). Unlike withJobLock, nobody is skipped: the second
 * instance runs after the first, and finds the work done.
 */
export async function withAdvisoryLock<T>(
  database: Pick<Database, "withConnection" | "engine">,
  key: number,
  fn: () => Promise<T>,
): Promise<T> {
  if (database.engine !== "postgres") return fn();
  return database.withConnection(async (db) => {
    await db.execute(sql`select pg_advisory_lock(${key})`);
    try {
      return await fn();
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${key})`);
    }
  });
}
