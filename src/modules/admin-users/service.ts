import { randomBytes } from "node:crypto";
import { and, desc, eq, ilike, lt, or, type SQL, sql } from "drizzle-orm";
import type { Static } from "typebox";
import { type DbOrTx, queryRows, toNumber } from "../../db/client.js";
import { type UserRole, users } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import { decodeCursor, paginate } from "../../lib/pagination.js";
import { normalizePhone } from "../../lib/phone.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { isLockedNow } from "../auth/service.js";
import { endUserSessions } from "../auth/sessions.js";
import { startEmailVerification } from "../email-verification/service.js";
import { normalizeStaffPhone } from "../users/phone-policy.js";
import { findUserById, type UserRow, updateUser } from "../users/repository.js";
import { createUser, toPublicUser } from "../users/service.js";
import type { AdminUserCreateBody, AdminUserListQuery, AdminUserPatchBody } from "./schemas.js";

export function toAdminUserView(u: UserRow, now: Date) {
  return {
    ...toPublicUser(u),
    isLocked: isLockedNow(u, now),
    lockedUntil: u.lockedUntil?.toISOString() ?? null,
    failedLoginAttempts: u.failedLoginAttempts,
    lastFailedLoginAt: u.lastFailedLoginAt?.toISOString() ?? null,
    updatedAt: u.updatedAt.toISOString(),
  };
}

async function getUserOr404(db: DbOrTx, id: string): Promise<UserRow> {
  const user = await findUserById(db, id);
  if (!user) throw new AppError("NOT_FOUND", "User not found");
  return user;
}

export async function listUsers(services: Services, q: Static<typeof AdminUserListQuery>) {
  const now = services.clock.now();
  const at = now.toISOString();
  const lockedNow = sql`(${users.isLocked} and (${users.lockedUntil} is null or ${users.lockedUntil} > ${at}::timestamptz))`;
  let after: SQL | undefined;
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(q.cursor, 2);
    after = or(lt(users.createdAt, new Date(String(createdAt))), and(eq(users.createdAt, new Date(String(createdAt))), lt(users.id, String(id))));
  }
  const phone = q.q ? normalizePhone(q.q)?.e164 : undefined;
  const rows = await services.db
    .select()
    .from(users)
    .where(
      and(
        q.role ? eq(users.role, q.role) : undefined,
        q.active === undefined ? undefined : eq(users.isActive, q.active),
        q.locked === undefined ? undefined : q.locked ? lockedNow : sql`not ${lockedNow}`,
        q.q ? or(ilike(users.name, `%${q.q}%`), ilike(users.email, `%${q.q}%`), phone ? eq(users.phone, phone) : undefined) : undefined,
        after,
      ),
    )
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(q.limit + 1);
  const page = paginate(rows, q.limit, (u) => [u.createdAt.toISOString(), u.id]);
  return { data: page.data.map((u) => toAdminUserView(u, now)), page: page.page };
}

export async function getAdminUser(services: Services, id: string) {
  return toAdminUserView(await getUserOr404(services.db, id), services.clock.now());
}

/**
 * An admin creates an account without learning its password: either a one-time initial password the
 * user must replace at first sign-in, or none (an unguessable one) and an email inviting the user to
 * set theirs through the reset flow.
 */
export async function adminCreateUser(services: Services, input: Static<typeof AdminUserCreateBody>, ctx: RequestContext) {
  const password = input.initialPassword ?? `${randomBytes(24).toString("base64url")}-Aa1!`;
  const user = await createUser(services, { email: input.email, name: input.name, phone: input.phone ?? null, role: input.role, password }, ctx, "user.created");
  let setupEmailSent = false;
  if (input.initialPassword) {
    await services.db.update(users).set({ mustChangePassword: true }).where(eq(users.id, user.id));
  } else {
    setupEmailSent = await services.mailer
      .send({
        to: user.email,
        subject: "Your collections CRM account",
        text: `An account was created for you (${user.email}). To choose your password, use "Forgot password" on the sign-in screen: a code will be emailed to you.`,
        html: `<p>An account was created for you (${user.email}).</p><p>To choose your password, use <strong>Forgot password</strong> on the sign-in screen: a code will be emailed to you.</p>`,
      })
      .then(
        () => true,
        () => false,
      );
  }
  await startEmailVerification(services, user, ctx);
  const fresh = await getUserOr404(services.db, user.id);
  return { user: toAdminUserView(fresh, services.clock.now()), passwordSetup: input.initialPassword ? ("initial_password" as const) : ("reset_flow" as const), setupEmailSent };
}

/**
 * Refuses a change that would leave no active, unlocked admin. Callers hold the last-admin lock, so
 * two admins demoting each other at once cannot both pass.
 */
async function assertAnotherAdminRemains(tx: DbOrTx, target: UserRow, now: Date) {
  if (target.role !== "admin" || !target.isActive || isLockedNow(target, now)) return;
  const [row] = await queryRows<{ n: unknown }>(
    tx,
    sql`select count(*) as n from users where role = 'admin' and is_active and id <> ${target.id}
        and not (is_locked and (locked_until is null or locked_until > ${now.toISOString()}::timestamptz))`,
  );
  if (toNumber(row?.n) === 0) {
    throw new AppError("LAST_ADMIN", "This is the last active admin: make another admin first");
  }
}

const lockLastAdmin = (tx: DbOrTx) => tx.execute(sql`select pg_advisory_xact_lock(hashtext('last-active-admin'))`);

export async function adminPatchUser(services: Services, id: string, input: Static<typeof AdminUserPatchBody>, ctx: RequestContext) {
  const { db, clock, config } = services;
  const now = clock.now();
  const phone = input.phone ? await normalizeStaffPhone(db, input.phone, config.PHONE_POLICY) : input.phone;
  return db.transaction(async (tx) => {
    await lockLastAdmin(tx);
    const before = await getUserOr404(tx, id);
    if (input.role && input.role !== "admin") await assertAnotherAdminRemains(tx, before, now);
    const changes: { name?: string; role?: UserRole; phone?: string | null } = {};
    if (input.name !== undefined && input.name.trim() !== before.name) changes.name = input.name.trim();
    if (input.role !== undefined && input.role !== before.role) changes.role = input.role;
    if (phone !== undefined && phone !== before.phone) changes.phone = phone;
    if (Object.keys(changes).length === 0) return toAdminUserView(before, now);
    const updated = (await updateUser(tx, id, changes, now))!;
    if (changes.role) {
      await recordAudit(tx, ctx, { action: "user.role_changed", entityType: "user", entityId: id, details: { from: before.role, to: changes.role } });
    }
    const other = Object.keys(changes).filter((k) => k !== "role");
    if (other.length > 0) {
      await recordAudit(tx, ctx, { action: "user.profile_updated", entityType: "user", entityId: id, details: { changed: other, by: "admin" } });
    }
    return toAdminUserView(updated, now);
  });
}

type AccountAction = "lock" | "unlock" | "deactivate" | "activate";

/** Seed 002 lock_user_account / unlock_user_account / deactivate_user_account, and activation. */
export async function changeAccountState(services: Services, id: string, action: AccountAction, reason: string, ctx: RequestContext) {
  const { db, clock } = services;
  const now = clock.now();
  return db.transaction(async (tx) => {
    await lockLastAdmin(tx);
    const user = await getUserOr404(tx, id);
    if (action === "lock" || action === "deactivate") {
      if (user.id === ctx.actorId) throw new AppError("FORBIDDEN", `You cannot ${action} your own account`);
      await assertAnotherAdminRemains(tx, user, now);
    }
    const changes = {
      lock: { isLocked: true, lockedUntil: null },
      unlock: { isLocked: false, lockedUntil: null, failedLoginAttempts: 0 },
      deactivate: { isActive: false },
      activate: { isActive: true },
    }[action];
    await tx.update(users).set({ ...changes, updatedAt: now }).where(eq(users.id, id));
    // A locked or deactivated account must lose its sessions now, not when its tokens expire.
    const sessionsEnded = action === "lock" || action === "deactivate" ? await endUserSessions(tx, id, action === "lock" ? "locked" : "deactivated", now) : 0;
    const audit = { lock: "user.locked", unlock: "user.unlocked", deactivate: "user.deactivated", activate: "user.activated" }[action];
    await recordAudit(tx, ctx, { action: audit, entityType: "user", entityId: id, details: { reason, sessionsEnded } });
    return toAdminUserView((await getUserOr404(tx, id))!, now);
  });
}

export async function endAllSessionsOf(services: Services, id: string, ctx: RequestContext) {
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    await getUserOr404(tx, id);
    const ended = await endUserSessions(tx, id, "ended_by_admin", now);
    await recordAudit(tx, ctx, { action: "user.sessions_ended", entityType: "user", entityId: id, details: { sessionsEnded: ended } });
    return ended;
  });
}

/** Seed 002 get_user_activity_summary. */
export async function activitySummary(services: Services, id: string, days: number) {
  const { db, clock, config } = services;
  const user = await getUserOr404(db, id);
  const now = clock.now();
  const at = now.toISOString();
  const idleCutoff = new Date(now.getTime() - config.SESSION_IDLE_MINUTES * 60_000).toISOString();
  const ageCutoff = new Date(now.getTime() - config.SESSION_MAX_HOURS * 3_600_000).toISOString();
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
  const lastActivity = r?.last_activity ? new Date(r.last_activity as string) : null;
  return {
    userId: id,
    days,
    logins: toNumber(r?.logins),
    failedLogins: toNumber(r?.failed),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    activeSessions: toNumber(r?.sessions),
    interactionsRecorded: toNumber(r?.interactions),
    promisesTaken: toNumber(r?.promises),
    promisesKept: toNumber(r?.kept),
    lastActivityAt: lastActivity?.toISOString() ?? null,
  };
}
