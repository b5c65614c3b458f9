import type { UserRole } from "../../db/schema/index.js";
import type { DbOrTx } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { assertAcceptablePassword, hashPassword } from "./password.js";
import { normalizeStaffPhone } from "./phone-policy.js";
import { findUserById, insertUser, type UserRow } from "./repository.js";

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
    pendingEmail: user.pendingEmail,
    pendingApproval: user.approvedAt === null,
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
  /** Self-registration under REGISTRATION=approval; every other way of creating an account approves it. */
  pendingApproval?: boolean;
}

/** Creates an account (registration, the CLI's first admin, demo staff); audited as `action`. */
export async function createUser(
  services: Services,
  input: NewUser,
  ctx: RequestContext | null,
  action = "auth.register",
  /** More work in the same transaction (the verification code and its email, queued with the account). */
  within?: (tx: DbOrTx, user: UserRow) => Promise<void>,
): Promise<UserRow> {
  const { db, config, clock } = services;
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  assertAcceptablePassword(input.password, [email, name]);
  const phone = input.phone ? await normalizeStaffPhone(db, input.phone, config.PHONE_POLICY) : null;
  const passwordHash = await hashPassword(input.password, config.BCRYPT_COST);
  const now = clock.now();
  return db.transaction(async (tx) => {
    const user = await insertUser(tx, {
      email,
      phone,
      name,
      passwordHash,
      role: input.role ?? "agent",
      now,
      emailVerifiedAt: input.emailVerified ? now : null,
      approvedAt: input.pendingApproval ? null : now,
    });
    await recordAudit(
      tx,
      { ...ctx, actorId: ctx?.actorId ?? user.id },
      {
        action,
        entityType: "user",
        entityId: user.id,
        details: {
          email,
          role: user.role,
          hasPhone: phone !== null,
          ...(input.pendingApproval ? { pendingApproval: true } : {}),
        },
      },
    );
    await within?.(tx, user);
    return user;
  });
}

export async function getUser(services: Services, id: string): Promise<UserRow> {
  const user = await findUserById(services.db, id);
  if (!user) throw new AppError("NOT_FOUND", "User not found");
  return user;
}
