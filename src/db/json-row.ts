import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/**
 * A whole row of `table` (aliased `alias` in the query) as one JSON object keyed by property name,
 * and its decoder. A query that nests rows in one round trip (pre-call's customer and loans,
 * post-call's facts) names no column itself, so a column added to the schema arrives without touching
 * the query and the decoded row has the table's own type. Money (numeric) travels as text so it never
 * passes through a float; json_build_object takes at most 50 columns.
 */
export function jsonRow(table: PgTable, alias: string): SQL {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  // One raw chunk, not one per column: building the statement stays as cheap as a literal (pre-call
  // is the hottest route). Names come from the schema and the caller's alias, never from input.
  const pairs = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const ref = `${quote(alias)}.${quote(column.name)}`;
    return `'${key}', ${column.columnType === "PgNumeric" ? `${ref}::text` : ref}`;
  });
  return sql.raw(`json_build_object(${pairs.join(", ")})`);
}

/** Decodes what `jsonRow` built, as the driver would have (timestamps become Dates, dates stay text). */
export function fromJsonRow<T extends PgTable>(table: T, json: Record<string, unknown>): T["$inferSelect"] {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[key];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T["$inferSelect"];
}
