import { and, desc, eq, ilike, isNotNull, isNull, or, sql } from "drizzle-orm";
import { type DbOrTx, queryRows, toNumber } from "../../db/client.js";
import { mobilisPhonePrefixes, type UserRole, users } from "../../db/schema/index.js";
import { olderThan, type TimeKey } from "../../lib/pagination.js";
import { autoLockedSql } from "../auth/lockouts.js";
import type { UserRow } from "../users/repository.js";

export interface AdminUserFilter {
  role?: UserRole;
  active?: boolean;
  locked?: boolean;
  pendingApproval?: boolean;
  /** A fragment of the name or email. */
  q?: string;
  /** `q` read as a phone number, when it is one (matched exactly). */
  phone?: string;
  after?: TimeKey;
  limit: number;
}

/** Newest accounts first. "Locked" counts both an admin's lock and a lockout still running at `now`. */
export async function listUsersForAdmin(db: DbOrTx, f: AdminUserFilter, now: Date): Promise<UserRow[]> {
  const lockedNow = sql`(${users.adminLockedAt} is not null or ${autoLockedSql(users.id, now)})`;
  return db
    .select()
    .from(users)
    .where(
      and(
        f.role ? eq(users.role, f.role) : undefined,
        f.active === undefined ? undefined : eq(users.isActive, f.active),
        f.locked === undefined ? undefined : f.locked ? lockedNow : sql`not ${lockedNow}`,
        f.pendingApproval === undefined
          ? undefined
          : f.pendingApproval
            ? isNull(users.approvedAt)
            : isNotNull(users.approvedAt),
        f.q
          ? or(
              ilike(users.name, `%${f.q}%`),
              ilike(users.email, `%${f.q}%`),
              f.phone ? eq(users.phone, f.phone) : undefined,
            )
          : undefined,
        olderThan(users.createdAt, users.id, f.after),
      ),
    )
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(f.limit);
}

/** The account must replace its password at first sign-in (an admin gave it a one-time one). */
export async function requirePasswordChange(db: DbOrTx, id: string): Promise<void> {
  await db.update(users).set({ mustChangePassword: true }).where(eq(users.id, id));
}

/**
 * Serialises the changes that could leave no active admin (demotion, lock, deactivation) for the rest
 * of the transaction, so two admins demoting each other at once cannot both pass the check.
 */
export async function lockLastAdmin(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('last-active-admin'))`);
}

/** Active admins free of an administrative lock, other than `exceptId`. */
export async function countOtherUnlockedAdmins(db: DbOrTx, exceptId: string): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`select count(*) as n from users where role = 'admin' and is_active and admin_locked_at is null and id <> ${exceptId}`,
  );
  return toNumber(row?.n);
}

export type AccountStateChange = Partial<
  Pick<UserRow, "adminLockedAt" | "adminLockedBy" | "adminLockReason" | "isActive">
>;

export async function setAccountState(db: DbOrTx, id: string, changes: AccountStateChange, now: Date) {
  await db
    .update(users)
    .set({ ...changes, updatedAt: now })
    .where(eq(users.id, id));
}

/** Approves an account only if it is still pending; undefined when it is not (or does not exist). */
export async function approvePending(
  db: DbOrTx,
  id: string,
  values: { role: UserRole; approvedBy: string | null },
  now: Date,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ approvedAt: now, approvedBy: values.approvedBy, role: values.role, updatedAt: now })
    .where(and(eq(users.id, id), isNull(users.approvedAt)))
    .returning();
  return row;
}

/** Approves an account as an agent by its verified email's domain (no approving admin). */
export async function approveAsAgent(db: DbOrTx, id: string, now: Date): Promise<void> {
  await db.update(users).set({ approvedAt: now, role: "agent", updatedAt: now }).where(eq(users.id, id));
}

/** Seed 002 get_user_activity_summary's counts over the last `days` days before `now`. */
export async function activityCounts(
  db: DbOrTx,
  id: string,
  window: { now: Date; days: number; idleCutoff: Date; ageCutoff: Date },
) {
  const at = window.now.toISOString();
  const { days } = window;
  const idleCutoff = window.idleCutoff.toISOString();
  const ageCutoff = window.ageCutoff.toISOString();
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`select
      (select count(*) from login_history where user_id = ${id} and success and created_at > ${at}::timestamptz - make_interval(days => ${days})) as logins,
      (select count(*) from login_history where user_id = ${id} and not success and created_at > ${at}::timestamptz - make_interval(days => ${days})) as failed,
      (select count(*) from user_sessions where user_id = ${id} and ended_at is null
         and last_activity_at > ${idleCutoff}::timestamptz and created_at > ${ageCutoff}::timestamptz) as sessions,
      (select count(*) from customer_interactions where agent_id = ${id} and created_at > ${at}::timestamptz - make_interval(days => ${days})) as interactions,
      (select count(*) from payment_promises where created_by = ${id} and created_at > ${at}::timestamptz - make_interval(days => ${days})) as promises,
      (select count(*) from payment_promises where created_by = ${id} and status = 'kept' and created_at > ${at}::timestamptz - make_interval(days => ${days})) as kept,
      (select max(last_activity_at) from user_sessions where user_id = ${id}) as last_activity`,
  );
  return {
    logins: toNumber(r?.logins),
    failedLogins: toNumber(r?.failed),
    activeSessions: toNumber(r?.sessions),
    interactionsRecorded: toNumber(r?.interactions),
    promisesTaken: toNumber(r?.promises),
    promisesKept: toNumber(r?.kept),
    lastActivityAt: r?.last_activity ? new Date(r.last_activity as string) : null,
  };
}

export type PrefixRow = typeof mobilisPhonePrefixes.$inferSelect;
type PrefixChanges = Partial<Pick<PrefixRow, "prefix" | "description" | "isActive">>;

/** The Mobilis prefixes a staff phone may start with (PHONE_POLICY=mobilis), in order. */
export const listPrefixRows = (db: DbOrTx): Promise<PrefixRow[]> =>
  db.select().from(mobilisPhonePrefixes).orderBy(mobilisPhonePrefixes.prefix);

export async function insertPrefix(db: DbOrTx, values: typeof mobilisPhonePrefixes.$inferInsert): Promise<PrefixRow> {
  const [row] = await db.insert(mobilisPhonePrefixes).values(values).returning();
  return row!;
}

export async function updatePrefixRow(db: DbOrTx, id: number, changes: PrefixChanges): Promise<PrefixRow | undefined> {
  const [row] = await db.update(mobilisPhonePrefixes).set(changes).where(eq(mobilisPhonePrefixes.id, id)).returning();
  return row;
}

export async function deletePrefixRow(db: DbOrTx, id: number): Promise<PrefixRow | undefined> {
  const [row] = await db.delete(mobilisPhonePrefixes).where(eq(mobilisPhonePrefixes.id, id)).returning();
  return row;
}
