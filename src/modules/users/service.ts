import type { UserRole } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { endUserSessions } from "../auth/sessions.js";
import { assertAcceptablePassword, hashPassword, verifyPassword } from "./password.js";
import { normalizeStaffPhone } from "./phone-policy.js";
import { findUserById, insertUser, type UserRow, updateUser } from "./repository.js";

/** The user as every response shows it: never the hash, lock internals or counters. */
export function toPublicUser(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    phone: user.phone,
    name: user.name,
    role: user.role,
    isActive: user.isActive,
    mustChangePassword: user.mustChangePassword,
    emailVerified: user.emailVerifiedAt !== null,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

export interface NewUser {
  email: string;
  password: string;
  name: string;
  phone?: string | null;
  role?: UserRole;
  /** Accounts made by an operator at the console (first admin, demo staff) start verified. */
  emailVerified?: boolean;
}

/** Creates an account (registration, the CLI's first admin, demo staff); audited as `action`. */
export async function createUser(
  services: Services,
  input: NewUser,
  ctx: RequestContext | null,
  action = "auth.register",
): Promise<UserRow> {
  const { db, config, clock } = services;
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  assertAcceptablePassword(input.password, [email, name]);
  const phone = input.phone ? await normalizeStaffPhone(db, input.phone, config.PHONE_POLICY) : null;
  const passwordHash = await hashPassword(input.password, config.BCRYPT_COST);
  const now = clock.now();
  return db.transaction(async (tx) => {
    const user = await insertUser(tx, { email, phone, name, passwordHash, role: input.role ?? "agent", now, emailVerifiedAt: input.emailVerified ? now : null });
    await recordAudit(tx, { ...ctx, actorId: ctx?.actorId ?? user.id }, {
      action,
      entityType: "user",
      entityId: user.id,
      details: { email, role: user.role, hasPhone: phone !== null },
    });
    return user;
  });
}

export async function getUser(services: Services, id: string): Promise<UserRow> {
  const user = await findUserById(services.db, id);
  if (!user) throw new AppError("NOT_FOUND", "User not found");
  return user;
}

export async function updateProfile(
  services: Services,
  userId: string,
  input: { name?: string; email?: string; phone?: string | null },
  ctx: RequestContext,
): Promise<UserRow> {
  const { db, config, clock } = services;
  const current = await getUser(services, userId);
  const changes: { name?: string; email?: string; phone?: string | null; emailVerifiedAt?: Date | null } = {};
  if (input.name !== undefined && input.name.trim() !== current.name) changes.name = input.name.trim();
  if (input.email !== undefined && input.email.trim().toLowerCase() !== current.email) {
    changes.email = input.email.trim().toLowerCase();
    // A new address is unproved until its own code comes back.
    changes.emailVerifiedAt = null;
  }
  if (input.phone !== undefined) {
    const phone = input.phone ? await normalizeStaffPhone(db, input.phone, config.PHONE_POLICY) : null;
    if (phone !== current.phone) changes.phone = phone;
  }
  if (Object.keys(changes).length === 0) return current;
  return db.transaction(async (tx) => {
    const updated = await updateUser(tx, userId, changes, clock.now());
    await recordAudit(tx, { ...ctx, actorId: userId }, {
      action: "user.profile_updated",
      entityType: "user",
      entityId: userId,
      details: { changed: Object.keys(changes).filter((k) => k !== "emailVerifiedAt") },
    });
    return updated!;
  });
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
    await recordAudit(tx, { ...ctx, actorId: user.id }, {
      action: "user.password_changed",
      entityType: "user",
      entityId: user.id,
      details: { otherSessionsEnded: ended },
    });
  });
}
