import { and, count, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { passwordResetRequests } from "../../db/schema/index.js";

export type ResetRequestRow = typeof passwordResetRequests.$inferSelect;

/** Serialises work on one address (a new request, a resend) across concurrent requests and instances. */
export async function lockAddress(tx: DbOrTx, email: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`password-reset:${email}`}))`);
}

export async function countRequestsSince(db: DbOrTx, email: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(passwordResetRequests)
    .where(and(eq(passwordResetRequests.email, email), gt(passwordResetRequests.createdAt, since)));
  return Number(row?.n ?? 0);
}

/** A new request ends the address's earlier live ones; returns those it ended. */
export async function expireLiveRequests(db: DbOrTx, email: string, now: Date) {
  return db
    .update(passwordResetRequests)
    .set({ status: "expired", updatedAt: now })
    .where(and(eq(passwordResetRequests.email, email), inArray(passwordResetRequests.status, ["pending", "verified"])))
    .returning({ id: passwordResetRequests.id, userId: passwordResetRequests.userId });
}

export async function insertRequest(
  db: DbOrTx,
  values: typeof passwordResetRequests.$inferInsert,
): Promise<ResetRequestRow> {
  const [row] = await db.insert(passwordResetRequests).values(values).returning();
  return row!;
}

/** The address's most recent request, whatever its status. */
export async function latestRequest(db: DbOrTx, email: string): Promise<ResetRequestRow | undefined> {
  const [row] = await db
    .select()
    .from(passwordResetRequests)
    .where(eq(passwordResetRequests.email, email))
    .orderBy(desc(passwordResetRequests.createdAt))
    .limit(1);
  return row;
}

/** Changes a request only if it is still in `fromStatus`, so two concurrent steps cannot both apply. */
export async function updateRequestIf(
  db: DbOrTx,
  id: string,
  fromStatus: ResetRequestRow["status"],
  changes: Partial<typeof passwordResetRequests.$inferInsert>,
): Promise<ResetRequestRow | undefined> {
  const [row] = await db
    .update(passwordResetRequests)
    .set(changes)
    .where(and(eq(passwordResetRequests.id, id), eq(passwordResetRequests.status, fromStatus)))
    .returning();
  return row;
}
