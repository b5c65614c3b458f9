import { and, eq } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { Type } from "typebox";
import type { DbOrTx } from "../db/client.js";
import { AppError } from "./errors.js";

export const VersionField = Type.Integer({
  minimum: 1,
  description: "The version you read; a stale one gets 409 VERSION_CONFLICT (or send it as If-Match)",
});

/**
 * The version a PATCH is based on, from the body or an If-Match header ("3", W/"3" or 3). Required:
 * without it a second editor would silently overwrite the first.
 */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: string | undefined): number {
  if (bodyVersion !== undefined) return bodyVersion;
  const match = ifMatch?.match(/^(?:W\/)?"?(\d+)"?$/);
  if (match?.[1]) return Number(match[1]);
  throw new AppError("VALIDATION_ERROR", "Send the version you read, as `version` or an If-Match header", {
    details: [{ path: "/version", message: "is required (or send If-Match)" }],
  });
}

/** `changedBy`: who made the newest change (null when unknown); `current.updatedAt` says when. */
export const versionConflict = (
  current: unknown,
  changedBy: { id: string | null; name: string | null } | null = null,
) =>
  new AppError("VERSION_CONFLICT", "The record was changed by someone else; review the current version and retry", {
    extra: { current, changedBy },
  });

/** Field-by-field changes for the audit log: only what actually differs. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>, fields: string[]) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    const from = before[field] instanceof Date ? (before[field] as Date).toISOString() : before[field];
    const to = after[field] instanceof Date ? (after[field] as Date).toISOString() : after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from: from ?? null, to: to ?? null };
  }
  return changes;
}

/** A table whose rows carry an id, a version bumped on every edit, and the time of the last edit. */
type VersionedTable = PgTable & { id: PgColumn; version: PgColumn; updatedAt: PgColumn };

/**
 * The one optimistic-lock update (customers, loans, interactions): applies `changes` only if the row
 * is still at `version`, bumps the version and returns the new row. A stale version throws what
 * `conflict()` builds: a 409 VERSION_CONFLICT carrying the record as the caller shows it and who
 * changed it (read from the audit log, which lib/ cannot import), so the client can merge.
 */
export async function updateAtVersion<T extends VersionedTable>(
  db: DbOrTx,
  table: T,
  target: { id: string; version: number },
  changes: Partial<T["$inferInsert"]>,
  now: Date,
  conflict: () => Promise<AppError> | AppError,
): Promise<T["$inferSelect"]> {
  // Drizzle cannot follow a generic table through returning(); the rows are this table's.
  const rows = (await db
    .update(table)
    .set({ ...changes, updatedAt: now, version: target.version + 1 } as Partial<T["$inferInsert"]>)
    .where(and(eq(table.id, target.id), eq(table.version, target.version)))
    .returning()) as T["$inferSelect"][];
  const row = rows[0];
  if (!row) throw await conflict();
  return row;
}
