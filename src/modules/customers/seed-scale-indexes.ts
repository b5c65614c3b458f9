import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.js";

/** The tables a generated portfolio fills. */
const FILLED_TABLES = [
  "customers",
  "loans",
  "payments",
  "customer_interactions",
  "payment_promises",
  "customer_phone_flags",
];

export interface DroppedIndex {
  name: string;
  /** `pg_get_indexdef`: the statement that creates it again, exactly as the migrations left it. */
  definition: string;
}

/**
 * Drops the secondary indexes of the filled tables, keeping those behind a constraint (primary keys,
 * which the load's joins and foreign keys use). Their definitions are read from the catalogue, so the
 * rebuild follows the migrations without a copy of them here. Only inside the load's transaction: if
 * it fails, the drop rolls back with it.
 */
export async function dropSecondaryIndexes(tx: DbOrTx): Promise<DroppedIndex[]> {
  const indexes = await queryRows<DroppedIndex>(
    tx,
    sql`select ic.relname as name, pg_get_indexdef(i.indexrelid) as definition
          from pg_index i
          join pg_class ic on ic.oid = i.indexrelid
          join pg_class t on t.oid = i.indrelid
          join pg_namespace n on n.oid = t.relnamespace
         where n.nspname = current_schema() and t.relname = any(${sql.param(FILLED_TABLES)}::text[])
           and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
         order by t.relname, ic.relname`,
  );
  for (const index of indexes) await tx.execute(sql`drop index ${sql.identifier(index.name)}`);
  return indexes;
}

export async function rebuildIndexes(tx: DbOrTx, indexes: DroppedIndex[]): Promise<void> {
  for (const index of indexes) await tx.execute(sql.raw(index.definition));
}
