import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { timestamptz } from "./columns.js";

export const RESET_STATUSES = ["pending", "verified", "used", "expired", "blocked"] as const;
export type ResetStatus = (typeof RESET_STATUSES)[number];

/**
 * Seed 000's PasswordResetRequest. A request is also kept for an email that has no account (user_id
 * null, nothing sent) so cooldowns, limits and answers are the same whether the account exists or not.
 */
export const passwordResetRequests = pgTable(
  "password_reset_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    phoneSubmitted: text("phone_submitted"),
    otpHash: text("otp_hash").notNull(),
    otpExpiresAt: timestamptz("otp_expires_at").notNull(),
    otpAttempts: integer("otp_attempts").notNull().default(0),
    resendCount: integer("resend_count").notNull().default(0),
    lastSentAt: timestamptz("last_sent_at"),
    status: text("status").$type<ResetStatus>().notNull().default("pending"),
    verifiedAt: timestamptz("verified_at"),
    usedAt: timestamptz("used_at"),
    resetTokenHash: text("reset_token_hash"),
    resetTokenExpiresAt: timestamptz("reset_token_expires_at"),
    ip: text("ip"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("password_reset_requests_email_created_idx").on(t.email, t.createdAt),
    index("password_reset_requests_user_idx").on(t.userId),
    index("password_reset_requests_expires_idx").on(t.otpExpiresAt),
    // At most one live request per address: a new one ends the old (and concurrent ones cannot both win).
    uniqueIndex("password_reset_requests_one_active_key")
      .on(t.email)
      .where(sql`${t.status} in ('pending', 'verified')`),
  ],
);

export const OTP_PURPOSES = ["password_reset", "email_verification"] as const;
export type OtpPurpose = (typeof OTP_PURPOSES)[number];

export const OTP_EVENTS = [
  "requested",
  "sent",
  "send_failed",
  "resent",
  "verify_failed",
  "verified",
  "blocked",
  "expired",
  "used",
  "request_limited",
] as const;
export type OtpEvent = (typeof OTP_EVENTS)[number];

/** One row per OTP event (seed 002 `otp_logs`), for audits and suspicious-activity detection. */
export const otpLogs = pgTable(
  "otp_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    requestId: uuid("request_id"),
    purpose: text("purpose").$type<OtpPurpose>().notNull().default("password_reset"),
    event: text("event").$type<OtpEvent>().notNull(),
    email: text("email"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("otp_logs_user_created_idx").on(t.userId, t.createdAt),
    index("otp_logs_event_created_idx").on(t.event, t.createdAt),
    index("otp_logs_ip_created_idx").on(t.ip, t.createdAt),
    index("otp_logs_created_idx").on(t.createdAt),
  ],
);

export const VERIFICATION_STATUSES = ["pending", "verified", "blocked", "expired", "superseded"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/**
 * Email verification codes (seed 001: a 6-digit OTP saved with its creation time). One live code per
 * user; each code has its own wrong-attempt budget, and resends are capped and spaced.
 */
export const emailVerifications = pgTable(
  "email_verifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    otpHash: text("otp_hash").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    resendCount: integer("resend_count").notNull().default(0),
    lastSentAt: timestamptz("last_sent_at"),
    status: text("status").$type<VerificationStatus>().notNull().default("pending"),
    verifiedAt: timestamptz("verified_at"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("email_verifications_user_created_idx").on(t.userId, t.createdAt),
    // verify-email looks a code up by the address it was sent to (a pending new email has no user row of its own).
    index("email_verifications_email_created_idx").on(t.email, t.createdAt),
    index("email_verifications_expires_idx").on(t.expiresAt),
  ],
);
