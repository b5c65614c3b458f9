import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { dispositions } from "../../db/schema/index.js";

export type DispositionRecord = typeof dispositions.$inferSelect;

/** Every outcome, retired ones too, in picker order: the administrator's list. */
export function listAllDispositions(db: DbOrTx): Promise<DispositionRecord[]> {
  return db.select().from(dispositions).orderBy(asc(dispositions.sortOrder), asc(dispositions.code));
}

/** Inserts a centre's own outcome; a taken code is a unique violation (409 CONFLICT). */
export async function insertDisposition(
  db: DbOrTx,
  values: Pick<DispositionRecord, "code" | "label" | "contacted" | "rightPartyContact" | "sortOrder">,
): Promise<DispositionRecord> {
  const [row] = await db.insert(dispositions).values(values).returning();
  return row!;
}

/** The row before and after a change, under a row lock so two edits are audited in order. */
export async function updateDisposition(
  db: DbOrTx,
  code: string,
  changes: Partial<Pick<DispositionRecord, "label" | "contacted" | "rightPartyContact" | "isActive" | "sortOrder">>,
): Promise<{ before: DispositionRecord; after: DispositionRecord } | undefined> {
  const [before] = await db.select().from(dispositions).where(eq(dispositions.code, code)).for("update");
  if (!before) return undefined;
  const [after] = await db.update(dispositions).set(changes).where(eq(dispositions.code, code)).returning();
  return { before, after: after! };
}
