import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { mobilisPhonePrefixes, type UserRole, users } from "../../db/schema/index.js";

export type UserRow = typeof users.$inferSelect;

export async function findUserById(db: DbOrTx, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** Emails are stored lower-case (a check constraint holds it), so this is an exact index lookup. */
export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return row;
}

/** Seed 002 get_user_by_phone: by E.164 number. */
export async function findUserByPhone(db: DbOrTx, e164: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.phone, e164)).limit(1);
  return row;
}

export async function insertUser(
  db: DbOrTx,
  values: {
    email: string;
    phone: string | null;
    name: string;
    passwordHash: string;
    role: UserRole;
    now: Date;
    emailVerifiedAt?: Date | null;
    approvedAt?: Date | null;
  },
): Promise<UserRow> {
  const [row] = await db
    .insert(users)
    .values({ ...values, email: values.email.toLowerCase(), createdAt: values.now, updatedAt: values.now })
    .returning();
  return row!;
}

export async function updateUser(
  db: DbOrTx,
  id: string,
  changes: Partial<
    Pick<
      UserRow,
      | "name"
      | "email"
      | "phone"
      | "role"
      | "passwordHash"
      | "passwordChangedAt"
      | "mustChangePassword"
      | "emailVerifiedAt"
      | "pendingEmail"
    >
  >,
  now: Date,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...changes, updatedAt: now })
    .where(eq(users.id, id))
    .returning();
  return row;
}

/** Records the sign-in time; the failure counter is cleared by auth/lockouts.ts clearLockouts. */
export async function recordSuccessfulLogin(db: DbOrTx, id: string, now: Date): Promise<UserRow> {
  const [row] = await db.update(users).set({ lastLoginAt: now }).where(eq(users.id, id)).returning();
  return row!;
}

export async function activePhonePrefixes(db: DbOrTx): Promise<string[]> {
  const rows = await db
    .select({ prefix: mobilisPhonePrefixes.prefix })
    .from(mobilisPhonePrefixes)
    .where(and(eq(mobilisPhonePrefixes.isActive, true)))
    .orderBy(mobilisPhonePrefixes.prefix);
  return rows.map((r) => r.prefix);
}
