import { and, eq } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { versionConflict } from "../lib/versioning.js";
import type { DbOrTx } from "./client.js";

/** A table whose rows carry an id, a version bumped on every edit, and the time of the last edit. */
type VersionedTable = PgTable & { id: PgColumn; version: PgColumn; updatedAt: PgColumn };

/**
 * The one optimistic-lock update (customers, loans, interactions): applies `changes` only if the row
 * is still at `version`, bumps the version and returns the new row. A stale version is a 409
 * VERSION_CONFLICT carrying `current()`, the record as the caller shows it, so the client can merge.
 */
export async function updateAtVersion<T extends VersionedTable>(
  db: DbOrTx,
  table: T,
  target: { id: string; version: number },
  changes: Partial<T["$inferInsert"]>,
  now: Date,
  current: () => unknown,
): Promise<T["$inferSelect"]> {
  // Drizzle cannot follow a generic table through returning(); the rows are this table's.
  const rows = (await db
    .update(table)
    .set({ ...changes, updatedAt: now, version: target.version + 1 } as Partial<T["$inferInsert"]>)
    .where(and(eq(table.id, target.id), eq(table.version, target.version)))
    .returning()) as T["$inferSelect"][];
  const row = rows[0];
  if (!row) throw versionConflict(current());
  return row;
}
