import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.js";
import { type LockoutScope, loginLockouts } from "../../db/schema/index.js";

export interface ReservedAttempt {
  /** This attempt's place in the run of consecutive failures: above the threshold means locked. */
  failedAttempts: number;
  lockedUntil: Date | null;
  /** The lock this attempt found, even one that had run out (then the count restarted at one). */
  previousLockedUntil: Date | null;
}

/**
 * Counts a sign-in attempt as a failure before its password is checked, in one statement that returns
 * the new count, so parallel guesses are serialised by the row lock and cannot outrun the threshold.
 * The attempt that reaches the threshold sets the lock at once; a success refunds it (clearLockouts).
 * A lock that has run out starts the count again from one.
 */
export async function reserveLoginAttempt(
  db: DbOrTx,
  values: {
    subject: string;
    scope: LockoutScope;
    userId: string | null;
    threshold: number;
    lockUntil: Date;
    now: Date;
  },
): Promise<ReservedAttempt> {
  const { subject, scope, userId, threshold, lockUntil, now } = values;
  const at = now.toISOString();
  const until = lockUntil.toISOString();
  const firstLock = threshold <= 1 ? sql`${until}::timestamptz` : sql`null::timestamptz`;
  // In ON CONFLICT DO UPDATE, unqualified columns on the right are the existing row's values.
  const expired = sql`(login_lockouts.locked_until is not null and login_lockouts.locked_until <= ${at}::timestamptz)`;
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`
    with previous as (select locked_until from login_lockouts where subject = ${subject} and scope = ${scope})
    insert into login_lockouts (subject, scope, user_id, failed_attempts, locked_until, last_failed_at)
    values (${subject}, ${scope}, ${userId}, 1, ${firstLock}, ${at}::timestamptz)
    on conflict (subject, scope) do update set
      failed_attempts = case when ${expired} then 1 else login_lockouts.failed_attempts + 1 end,
      locked_until = case
        when ${expired} then ${firstLock}
        when login_lockouts.failed_attempts + 1 >= ${threshold}::int then coalesce(login_lockouts.locked_until, ${until}::timestamptz)
        else login_lockouts.locked_until end,
      last_failed_at = ${at}::timestamptz
    returning failed_attempts, locked_until::text as locked_until, (select locked_until::text from previous) as previous_locked_until`,
  );
  const asDate = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)));
  return {
    failedAttempts: Number(row!.failed_attempts),
    lockedUntil: asDate(row!.locked_until),
    previousLockedUntil: asDate(row!.previous_locked_until),
  };
}

/** The end of a lock still in force on `subject` in `scope`, if any. */
export async function activeLockUntil(
  db: DbOrTx,
  subject: string,
  scope: LockoutScope,
  now: Date,
): Promise<Date | null> {
  const [row] = await db
    .select({ lockedUntil: loginLockouts.lockedUntil })
    .from(loginLockouts)
    .where(and(eq(loginLockouts.subject, subject), eq(loginLockouts.scope, scope), gt(loginLockouts.lockedUntil, now)))
    .limit(1);
  return row?.lockedUntil ?? null;
}

/**
 * Seed 002 reset_failed_login_attempts: a right password (or a completed reset) ends the run of
 * failures and any automatic lock, in every scope. The administrative lock is elsewhere and stays.
 */
export async function clearLockouts(db: DbOrTx, subject: string): Promise<void> {
  await db.delete(loginLockouts).where(eq(loginLockouts.subject, subject));
}

export interface LockState {
  failedAttempts: number;
  /** The latest automatic lock still in force, in any scope. */
  lockedUntil: Date | null;
  lastFailedAt: Date | null;
}

/** Seed 002 get_failed_login_attempts and the automatic half of is_locked, for several users at once. */
export async function lockStatesOf(db: DbOrTx, userIds: string[], now: Date): Promise<Map<string, LockState>> {
  const states = new Map<string, LockState>();
  if (userIds.length === 0) return states;
  const rows = await db.select().from(loginLockouts).where(inArray(loginLockouts.userId, userIds));
  for (const row of rows) {
    const state = states.get(row.userId!) ?? { failedAttempts: 0, lockedUntil: null, lastFailedAt: null };
    const expired = row.lockedUntil !== null && row.lockedUntil <= now;
    if (!expired) state.failedAttempts += row.failedAttempts;
    if (row.lockedUntil && !expired && (!state.lockedUntil || row.lockedUntil > state.lockedUntil))
      state.lockedUntil = row.lockedUntil;
    if (row.lastFailedAt && (!state.lastFailedAt || row.lastFailedAt > state.lastFailedAt))
      state.lastFailedAt = row.lastFailedAt;
    states.set(row.userId!, state);
  }
  return states;
}

/** SQL true when `userIdColumn`'s account has an automatic lock in force (for filters and counts). */
export const autoLockedSql = (userIdColumn: unknown, now: Date) =>
  sql`exists (select 1 from login_lockouts ll where ll.user_id = ${userIdColumn} and ll.locked_until > ${now.toISOString()}::timestamptz)`;
