import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { emailVerifications, users } from "../../db/schema/index.js";

export type VerificationRow = typeof emailVerifications.$inferSelect;

/** The newest code sent to an address whoever it was for, or sent to a user whatever the address. */
export async function latestVerification(
  db: DbOrTx,
  by: { email: string } | { userId: string },
): Promise<VerificationRow | undefined> {
  const [row] = await db
    .select()
    .from(emailVerifications)
    .where("email" in by ? eq(emailVerifications.email, by.email) : eq(emailVerifications.userId, by.userId))
    .orderBy(desc(emailVerifications.createdAt))
    .limit(1);
  return row;
}

/** The account a code for `email` would verify: its unverified address, or its pending new one. */
export async function accountAwaiting(db: DbOrTx, email: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`(${users.email} = ${email} and ${users.emailVerifiedAt} is null) or ${users.pendingEmail} = ${email}`)
    .orderBy(desc(users.updatedAt))
    .limit(1);
  return row;
}

/** Earlier pending codes stop working: the user's (a new verification), or one row's (a resend). */
export async function supersedePending(db: DbOrTx, by: { userId: string } | { id: string }, now: Date) {
  const which = "userId" in by ? eq(emailVerifications.userId, by.userId) : eq(emailVerifications.id, by.id);
  await db
    .update(emailVerifications)
    .set({ status: "superseded", updatedAt: now })
    .where(and(which, eq(emailVerifications.status, "pending")));
}

export async function insertVerification(
  db: DbOrTx,
  values: typeof emailVerifications.$inferInsert,
): Promise<VerificationRow> {
  const [row] = await db.insert(emailVerifications).values(values).returning();
  return row!;
}

/** pending → verified; undefined when a concurrent step ended the code first. */
export async function markVerified(db: DbOrTx, id: string, now: Date): Promise<VerificationRow | undefined> {
  const [row] = await db
    .update(emailVerifications)
    .set({ status: "verified", verifiedAt: now, updatedAt: now })
    .where(and(eq(emailVerifications.id, id), eq(emailVerifications.status, "pending")))
    .returning();
  return row;
}
