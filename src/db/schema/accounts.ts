import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { teams } from "./allocation.js";
import { timestamptz } from "./columns.js";

export const USER_ROLES = ["admin", "supervisor", "agent"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Call-centre staff (seed 002 `users`). Email is stored lower-case; phone in E.164. */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    phone: text("phone"),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role").$type<UserRole>().notNull().default("agent"),
    isActive: boolean("is_active").notNull().default(true),
    /**
     * The administrative lock (seed 002 lock_user_account by an admin): no expiry, only an admin lifts
     * it, and a self-service password reset does not. Kept apart from the automatic lock from failed
     * sign-ins, which lives in `login_lockouts` and runs out by itself.
     */
    adminLockedAt: timestamptz("admin_locked_at"),
    adminLockedBy: uuid("admin_locked_by"),
    adminLockReason: text("admin_lock_reason"),
    lastLoginAt: timestamptz("last_login_at"),
    passwordChangedAt: timestamptz("password_changed_at"),
    /** Set when an admin gave a one-time initial password: it must be replaced at first sign-in. */
    mustChangePassword: boolean("must_change_password").notNull().default(false),
    /** When the address was proved by a code (seed 001); null until then. */
    emailVerifiedAt: timestamptz("email_verified_at"),
    /** REGISTRATION=approval: a self-registered account stays pending (null) until an admin approves it. */
    approvedAt: timestamptz("approved_at"),
    approvedBy: uuid("approved_by"),
    /** A requested new address: it replaces `email` only once its code is verified (issue 11). */
    pendingEmail: text("pending_email"),
    /** The user's team (at most one); supervisors may also lead a team (`teams.supervisor_id`). */
    teamId: uuid("team_id").references((): AnyPgColumn => teams.id, { onDelete: "set null" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    uniqueIndex("users_phone_key").on(t.phone),
    index("users_role_idx").on(t.role),
    index("users_team_idx").on(t.teamId),
    check("users_role_check", sql`${t.role} in ('admin', 'supervisor', 'agent')`),
    check("users_email_lower_check", sql`${t.email} = lower(${t.email})`),
  ],
);

/** One row per login (seed 002 `user_sessions`); ended_at set on logout, revocation or expiry. */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    lastActivityAt: timestamptz("last_activity_at").notNull().defaultNow(),
    endedAt: timestamptz("ended_at"),
    endReason: text("end_reason"),
  },
  (t) => [
    index("user_sessions_user_active_idx")
      .on(t.userId)
      .where(sql`${t.endedAt} is null`),
    index("user_sessions_active_activity_idx")
      .on(t.lastActivityAt)
      .where(sql`${t.endedAt} is null`),
  ],
);

/** Refresh tokens, stored only as SHA-256 hashes; single use (used_at), chained by replaced_by. */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => userSessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    usedAt: timestamptz("used_at"),
    revokedAt: timestamptz("revoked_at"),
    replacedBy: uuid("replaced_by"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_token_hash_key").on(t.tokenHash),
    index("refresh_tokens_session_idx").on(t.sessionId),
    index("refresh_tokens_expires_idx").on(t.expiresAt),
  ],
);

/** Every login attempt, success or failure (seed 002 `login_history`, log_login_attempt). */
export const loginHistory = pgTable(
  "login_history",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    identifier: text("identifier").notNull(),
    success: boolean("success").notNull(),
    reason: text("reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("login_history_user_created_idx").on(t.userId, t.createdAt),
    index("login_history_ip_created_idx").on(t.ip, t.createdAt),
    index("login_history_created_idx").on(t.createdAt),
  ],
);

/** Number ranges accepted for staff phones under PHONE_POLICY=mobilis, in E.164 form (+21366…). */
export const mobilisPhonePrefixes = pgTable(
  "mobilis_phone_prefixes",
  {
    id: serial("id").primaryKey(),
    prefix: text("prefix").notNull(),
    description: text("description"),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("mobilis_phone_prefixes_prefix_key").on(t.prefix)],
);

export const LOCKOUT_SCOPES = ["all", "untrusted"] as const;
export type LockoutScope = (typeof LOCKOUT_SCOPES)[number];

/**
 * Consecutive failed sign-ins and the automatic lock they set (seed 002 increment_failed_login_attempts,
 * lock_user_account), counted per account, or per typed identifier when no account has it, so that a
 * 423 tells nothing about who exists. Scope `all` counts failures from the centre's trusted networks
 * (or from anywhere when none are configured) and locks every sign-in; scope `untrusted` counts
 * failures from outside them and locks only sign-ins from outside, so an attacker on the internet
 * cannot lock agents out of their own floor.
 */
export const loginLockouts = pgTable(
  "login_lockouts",
  {
    /** The user's id, or `identifier:<normalised email or phone>` for identifiers no account has. */
    subject: text("subject").notNull(),
    scope: text("scope").$type<LockoutScope>().notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    lockedUntil: timestamptz("locked_until"),
    lastFailedAt: timestamptz("last_failed_at"),
  },
  (t) => [
    primaryKey({ name: "login_lockouts_pkey", columns: [t.subject, t.scope] }),
    index("login_lockouts_user_idx").on(t.userId),
    index("login_lockouts_last_failed_idx").on(t.lastFailedAt),
    check("login_lockouts_scope_check", sql`${t.scope} in ('all', 'untrusted')`),
  ],
);
