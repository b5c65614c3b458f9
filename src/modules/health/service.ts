import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { getMigrationStatus } from "../../db/migrate.js";

const DATABASE_CHECK_TIMEOUT_MS = 1000;

export interface Readiness {
  ready: boolean;
  migrations: "up-to-date" | "pending" | "unknown";
  failures: { path: string; message: string }[];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createReadinessCheck(database: Database) {
  // Migrations only change when a new build starts, so once confirmed the answer is kept.
  let migrationsConfirmed = false;

  return async function checkReadiness(): Promise<Readiness> {
    try {
      await withTimeout(database.db.execute(sql`select 1`), DATABASE_CHECK_TIMEOUT_MS, "database check");
    } catch (err) {
      const message = err instanceof Error && /timed out/.test(err.message) ? err.message : "unreachable";
      return { ready: false, migrations: "unknown", failures: [{ path: "database", message }] };
    }
    if (!migrationsConfirmed) {
      const status = await getMigrationStatus(database.db);
      if (status.pending.length > 0) {
        return {
          ready: false,
          migrations: "pending",
          failures: [{ path: "migrations", message: `${status.pending.length} pending: ${status.pending.join(", ")}` }],
        };
      }
      migrationsConfirmed = true;
    }
    return { ready: true, migrations: "up-to-date", failures: [] };
  };
}
