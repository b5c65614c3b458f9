import { randomBytes } from "node:crypto";
import type { Static } from "typebox";
import type { DbOrTx } from "../../db/client.js";
import type { UserRole } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import { paginate, timeCursor, timeKeyOf } from "../../lib/pagination.js";
import { normalizePhone } from "../../lib/phone.js";
import type { RequestContext, Services } from "../../services.js";
import { releaseClaims } from "../allocation/repository.js";
import { recordAudit } from "../audit/service.js";
import { clearLockouts, type LockState, lockStatesOf } from "../auth/lockouts.js";
import { isAccountBlocked } from "../auth/service.js";
import { endSession, endUserSessions } from "../auth/sessions.js";
import { startEmailVerification } from "../email-verification/service.js";
import { enqueueMail } from "../mail/outbox.js";
import { accountNoticeEmail } from "../users/notices.js";
import { accountSetupEmail } from "./approval.js";
import { normalizeStaffPhone } from "../users/phone-policy.js";
import { findUserById, type UserRow, updateUser } from "../users/repository.js";
import { createUser, toPublicUser } from "../users/service.js";
import {
  activityCounts,
  countOtherUnlockedAdmins,
  listUsersForAdmin,
  lockLastAdmin,
  requirePasswordChange,
  setAccountState,
} from "./repository.js";
import type { AdminUserCreateBody, AdminUserListQuery, AdminUserPatchBody } from "./schemas.js";

const NO_FAILURES: LockState = { failedAttempts: 0, lockedUntil: null, lastFailedAt: null };

export function toAdminUserView(u: UserRow, lock: LockState = NO_FAILURES) {
  return {
    ...toPublicUser(u),
    isLocked: u.adminLockedAt !== null || lock.lockedUntil !== null,
    lockedUntil: lock.lockedUntil?.toISOString() ?? null,
    adminLock: u.adminLockedAt
      ? { lockedAt: u.adminLockedAt.toISOString(), lockedBy: u.adminLockedBy, reason: u.adminLockReason }
      : null,
    failedLoginAttempts: lock.failedAttempts,
    lastFailedLoginAt: lock.lastFailedAt?.toISOString() ?? null,
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** Admin views of several users, each with its automatic-lock state. */
export async function adminViews(db: DbOrTx, rows: UserRow[], now: Date) {
  const locks = await lockStatesOf(
    db,
    rows.map((u) => u.id),
    now,
  );
  return rows.map((u) => toAdminUserView(u, locks.get(u.id)));
}

async function getUserOr404(db: DbOrTx, id: string): Promise<UserRow> {
  const user = await findUserById(db, id);
  if (!user) throw new AppError("NOT_FOUND", "User not found");
  return user;
}

export async function listUsers(services: Services, q: Static<typeof AdminUserListQuery>) {
  const now = services.clock.now();
  const phone = q.q ? normalizePhone(q.q)?.e164 : undefined;
  const rows = await listUsersForAdmin(
    services.db,
    { ...q, phone, after: timeKeyOf(q.cursor), limit: q.limit + 1 },
    now,
  );
  const page = paginate(rows, q.limit, (u) => timeCursor(u.createdAt, u.id));
  return { data: await adminViews(services.db, page.data, now), page: page.page };
}

export async function getAdminUser(services: Services, id: string) {
  const [view] = await adminViews(services.db, [await getUserOr404(services.db, id)], services.clock.now());
  return view!;
}

/**
 * An admin creates an account without learning its password: either a one-time initial password the
 * user must replace at first sign-in, or none (an unguessable one) and an email inviting the user to
 * set theirs through the reset flow.
 */
export async function adminCreateUser(
  services: Services,
  input: Static<typeof AdminUserCreateBody>,
  ctx: RequestContext,
) {
  const password = input.initialPassword ?? `${randomBytes(24).toString("base64url")}-Aa1!`;
  // The account, its verification code and the setup email are one transaction (the mail outbox).
  const user = await createUser(
    services,
    { email: input.email, name: input.name, phone: input.phone ?? null, role: input.role, password },
    ctx,
    "user.created",
    async (tx, created) => {
      if (input.initialPassword) await requirePasswordChange(tx, created.id);
      else
        await enqueueMail(
          tx,
          { ...accountSetupEmail(created.email), kind: "account_setup", userId: created.id },
          services.clock.now(),
        );
      await startEmailVerification(services, tx, created.id, created.email, ctx);
    },
  );
  services.mailOutbox.wake();
  const setupEmailSent = !input.initialPassword;
  const fresh = await getUserOr404(services.db, user.id);
  return {
    user: toAdminUserView(fresh),
    passwordSetup: input.initialPassword ? ("initial_password" as const) : ("reset_flow" as const),
    setupEmailSent,
  };
}

/**
 * Refuses a change that would leave no active admin free of an administrative lock. Callers hold the
 * last-admin lock, so two admins demoting each other at once cannot both pass. Automatic locks do not
 * count: they run out by themselves, and an attacker must not be able to make an admin "the last".
 */
async function assertAnotherAdminRemains(tx: DbOrTx, target: UserRow) {
  if (target.role !== "admin" || isAccountBlocked(target)) return;
  if ((await countOtherUnlockedAdmins(tx, target.id)) === 0) {
    throw new AppError("LAST_ADMIN", "This is the last active admin: make another admin first");
  }
}

export async function adminPatchUser(
  services: Services,
  id: string,
  input: Static<typeof AdminUserPatchBody>,
  ctx: RequestContext,
) {
  const { db, clock, config } = services;
  const now = clock.now();
  const phone = input.phone ? await normalizeStaffPhone(db, input.phone, config.PHONE_POLICY) : input.phone;
  const view = await db.transaction(async (tx) => {
    await lockLastAdmin(tx);
    const before = await getUserOr404(tx, id);
    if (input.role && input.role !== "admin") await assertAnotherAdminRemains(tx, before);
    const changes: { name?: string; role?: UserRole; phone?: string | null } = {};
    if (input.name !== undefined && input.name.trim() !== before.name) changes.name = input.name.trim();
    if (input.role !== undefined && input.role !== before.role) changes.role = input.role;
    if (phone !== undefined && phone !== before.phone) changes.phone = phone;
    if (Object.keys(changes).length === 0) return (await adminViews(tx, [before], now))[0]!;
    const updated = (await updateUser(tx, id, changes, now))!;
    if (changes.role) {
      await recordAudit(tx, ctx, {
        action: "user.role_changed",
        entityType: "user",
        entityId: id,
        details: { from: before.role, to: changes.role },
      });
    }
    const other = Object.keys(changes).filter((k) => k !== "role");
    if (other.length > 0) {
      await recordAudit(tx, ctx, {
        action: "user.profile_updated",
        entityType: "user",
        entityId: id,
        details: { changed: other, by: "admin" },
      });
    }
    // The owner is told of every phone change, an admin's included (issue 11).
    if (changes.phone !== undefined)
      await enqueueMail(
        tx,
        {
          ...accountNoticeEmail(before.email, "phone_changed", changes.phone ?? undefined),
          kind: "phone_changed_notice",
          userId: id,
        },
        now,
      );
    return (await adminViews(tx, [updated], now))[0]!;
  });
  services.mailOutbox.wake();
  return view;
}

type AccountAction = "lock" | "unlock" | "deactivate" | "activate";

/** Seed 002 lock_user_account / unlock_user_account / deactivate_user_account, and activation. */
export async function changeAccountState(
  services: Services,
  id: string,
  action: AccountAction,
  reason: string,
  ctx: RequestContext,
) {
  const { db, clock } = services;
  const now = clock.now();
  return db.transaction(async (tx) => {
    await lockLastAdmin(tx);
    const user = await getUserOr404(tx, id);
    if (action === "lock" || action === "deactivate") {
      if (user.id === ctx.actorId) throw new AppError("FORBIDDEN", `You cannot ${action} your own account`);
      await assertAnotherAdminRemains(tx, user);
    }
    const changes = {
      lock: { adminLockedAt: now, adminLockedBy: ctx.actorId ?? null, adminLockReason: reason },
      unlock: { adminLockedAt: null, adminLockedBy: null, adminLockReason: null },
      deactivate: { isActive: false },
      activate: { isActive: true },
    }[action];
    await setAccountState(tx, id, changes, now);
    // An admin's unlock lifts both kinds of lock: the administrative one and any lockout from failures.
    if (action === "unlock") await clearLockouts(tx, id);
    // A locked or deactivated account must lose its sessions now, not when its tokens expire.
    const sessionsEnded =
      action === "lock" || action === "deactivate"
        ? await endUserSessions(tx, id, action === "lock" ? "locked" : "deactivated", now)
        : 0;
    // Nor may they keep customers from other agents: their claims go back to the pools.
    const claimsReleased =
      action === "lock" || action === "deactivate"
        ? (await releaseClaims(tx, { userId: id }, "holder_disabled", now)).length
        : 0;
    const audit = {
      lock: "user.locked",
      unlock: "user.unlocked",
      deactivate: "user.deactivated",
      activate: "user.activated",
    }[action];
    await recordAudit(tx, ctx, {
      action: audit,
      entityType: "user",
      entityId: id,
      details: { reason, sessionsEnded, claimsReleased },
    });
    return (await adminViews(tx, [await getUserOr404(tx, id)], now))[0]!;
  });
}

export async function endAllSessionsOf(services: Services, id: string, ctx: RequestContext) {
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    await getUserOr404(tx, id);
    const ended = await endUserSessions(tx, id, "ended_by_admin", now);
    await recordAudit(tx, ctx, {
      action: "user.sessions_ended",
      entityType: "user",
      entityId: id,
      details: { sessionsEnded: ended },
    });
    return ended;
  });
}

/** Ends one of the user's open sessions and revokes its refresh tokens; 404 when it is not theirs or already ended. */
export async function endSessionOf(services: Services, id: string, sessionId: string, ctx: RequestContext) {
  const now = services.clock.now();
  await services.db.transaction(async (tx) => {
    await getUserOr404(tx, id);
    if (!(await endSession(tx, sessionId, "ended_by_admin", now, id)))
      throw new AppError("NOT_FOUND", "No open session of this user has this id");
    // The same action as ending them all, so one filter finds every session an admin ended.
    await recordAudit(tx, ctx, {
      action: "user.sessions_ended",
      entityType: "user",
      entityId: id,
      details: { sessionsEnded: 1, sessionId },
    });
  });
}

/** Seed 002 get_user_activity_summary. */
export async function activitySummary(services: Services, id: string, days: number) {
  const { db, clock, config } = services;
  const user = await getUserOr404(db, id);
  const now = clock.now();
  const counts = await activityCounts(db, id, {
    now,
    days,
    idleCutoff: new Date(now.getTime() - config.SESSION_IDLE_MINUTES * 60_000),
    ageCutoff: new Date(now.getTime() - config.SESSION_MAX_HOURS * 3_600_000),
  });
  return {
    userId: id,
    days,
    logins: counts.logins,
    failedLogins: counts.failedLogins,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    activeSessions: counts.activeSessions,
    interactionsRecorded: counts.interactionsRecorded,
    promisesTaken: counts.promisesTaken,
    promisesKept: counts.promisesKept,
    lastActivityAt: counts.lastActivityAt?.toISOString() ?? null,
  };
}
