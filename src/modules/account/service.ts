import type { RequestContext, Services } from "../../services.js";
import { AppError, rateLimited } from "../../lib/errors.js";
import { recordAudit } from "../audit/service.js";
import { endUserSessions } from "../auth/sessions.js";
import { startEmailVerification } from "../email-verification/service.js";
import { enqueueMail } from "../mail/outbox.js";
import { accountNoticeEmail } from "../users/notices.js";
import { assertAcceptablePassword, hashPassword, verifyPassword } from "../users/password.js";
import { normalizeStaffPhone } from "../users/phone-policy.js";
import { findUserByEmail, type UserRow, updateUser } from "../users/repository.js";
import { getUser } from "../users/service.js";

/**
 * Step-up for identity changes (issue 11): a stolen access token alone must not change the email or
 * phone. Each attempt is counted before the password is checked, so guessing through here is capped
 * like sign-in failures.
 */
async function requireCurrentPassword(services: Services, user: UserRow, currentPassword: string | undefined) {
  if (currentPassword === undefined) {
    throw new AppError("REAUTH_REQUIRED", "Changing the email or phone needs your current password (currentPassword)");
  }
  const { limiter, config } = services;
  const key = `reauth:user:${user.id}`;
  const wait = await limiter.hit(key, config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT, config.RATE_LIMIT_WINDOW_SECONDS);
  if (wait) throw rateLimited(wait);
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new AppError("REAUTH_REQUIRED", "The current password is not correct");
  }
  await limiter.clear(key);
}

/**
 * Name changes apply at once. A new email stays pending (sign-in and reset keep using the current
 * one) until the code sent to it is verified; email and phone changes need the current password and
 * are told to the current address.
 */
export async function updateProfile(
  services: Services,
  userId: string,
  input: { name?: string; email?: string; phone?: string | null; currentPassword?: string },
  ctx: RequestContext,
): Promise<{ user: UserRow; emailChangeRequested: boolean }> {
  const { db, config, clock } = services;
  const current = await getUser(services, userId);
  const changes: { name?: string; phone?: string | null; pendingEmail?: string | null } = {};
  if (input.name !== undefined && input.name.trim() !== current.name) changes.name = input.name.trim();
  let newEmail: string | undefined;
  if (input.email !== undefined) {
    const email = input.email.trim().toLowerCase();
    if (email === current.email) {
      // Asking for the current address again withdraws a pending change.
      if (current.pendingEmail !== null) changes.pendingEmail = null;
    } else if (email !== current.pendingEmail) {
      newEmail = email;
      changes.pendingEmail = email;
    }
  }
  if (input.phone !== undefined) {
    const phone = input.phone ? await normalizeStaffPhone(db, input.phone, config.PHONE_POLICY) : null;
    if (phone !== current.phone) changes.phone = phone;
  }
  if (Object.keys(changes).length === 0) return { user: current, emailChangeRequested: false };
  if (newEmail !== undefined || changes.phone !== undefined)
    await requireCurrentPassword(services, current, input.currentPassword);
  if (newEmail !== undefined && (await findUserByEmail(db, newEmail))) {
    throw new AppError("CONFLICT", "That email address belongs to another account", {
      details: [{ path: "/email", message: "is in use" }],
    });
  }
  const now = clock.now();
  const updated = await db.transaction(async (tx) => {
    const row = await updateUser(tx, userId, changes, now);
    await recordAudit(
      tx,
      { ...ctx, actorId: userId },
      {
        action: "user.profile_updated",
        entityType: "user",
        entityId: userId,
        details: {
          changed: Object.keys(changes).map((k) => (k === "pendingEmail" ? "email" : k)),
          ...(newEmail ? { emailPending: newEmail } : {}),
        },
      },
    );
    if (newEmail !== undefined) {
      await startEmailVerification(services, tx, userId, newEmail, ctx);
      await enqueueMail(
        tx,
        {
          ...accountNoticeEmail(current.email, "email_change_requested", newEmail),
          kind: "email_change_notice",
          userId,
        },
        now,
      );
    }
    if (changes.phone !== undefined) {
      await enqueueMail(
        tx,
        {
          ...accountNoticeEmail(current.email, "phone_changed", changes.phone ?? undefined),
          kind: "phone_changed_notice",
          userId,
        },
        now,
      );
    }
    return row!;
  });
  services.mailOutbox.wake();
  return { user: updated, emailChangeRequested: newEmail !== undefined };
}

/** Changes the password and ends every other session, so a stolen session dies with the old password. */
export async function changePassword(
  services: Services,
  auth: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  ctx: RequestContext,
): Promise<void> {
  const { db, config, clock } = services;
  const user = await getUser(services, auth.userId);
  const key = `reauth:user:${user.id}`;
  const wait = await services.limiter.hit(
    key,
    config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT,
    config.RATE_LIMIT_WINDOW_SECONDS,
  );
  if (wait) throw rateLimited(wait);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new AppError("VALIDATION_ERROR", "The current password is not correct", {
      details: [{ path: "/currentPassword", message: "is not correct" }],
    });
  }
  if (input.currentPassword === input.newPassword) {
    throw new AppError("VALIDATION_ERROR", "The new password must differ from the current one", {
      details: [{ path: "/newPassword", message: "must differ from the current password" }],
    });
  }
  assertAcceptablePassword(input.newPassword, [user.email, user.name], "/newPassword");
  const passwordHash = await hashPassword(input.newPassword, config.BCRYPT_COST);
  const now = clock.now();
  await db.transaction(async (tx) => {
    await updateUser(tx, user.id, { passwordHash, passwordChangedAt: now, mustChangePassword: false }, now);
    const ended = await endUserSessions(tx, user.id, "password_changed", now, auth.sessionId);
    await recordAudit(
      tx,
      { ...ctx, actorId: user.id },
      {
        action: "user.password_changed",
        entityType: "user",
        entityId: user.id,
        details: { otherSessionsEnded: ended },
      },
    );
    await enqueueMail(
      tx,
      { ...accountNoticeEmail(user.email, "password_changed"), kind: "password_changed", userId: user.id },
      now,
    );
  });
  await services.limiter.clear(key);
  services.mailOutbox.wake();
}
