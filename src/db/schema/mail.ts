import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns.js";

export const MAIL_STATUSES = ["pending", "sending", "sent", "failed"] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/**
 * The mail outbox (issue 11): every message is a row written in the transaction of the change that
 * causes it, so a request never waits for SMTP and an answer cannot depend on delivery. A worker
 * claims due rows (`FOR UPDATE SKIP LOCKED`), sends them and records the outcome. The body is erased
 * once the message is sent or given up: codes do not stay in the database.
 */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** What the message is (password_reset_code, email_verification_code, password_changed, …). */
    kind: text("kind").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body"),
    htmlBody: text("html_body"),
    userId: uuid("user_id"),
    /** The reset request or verification row a code belongs to, for `otp_logs`. */
    relatedId: uuid("related_id"),
    status: text("status").$type<MailStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When a pending row is due, or when a claimed (`sending`) row's lease runs out. */
    nextAttemptAt: timestamptz("next_attempt_at").notNull().defaultNow(),
    errorCategory: text("error_category"),
    lastError: text("last_error"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    sentAt: timestamptz("sent_at"),
  },
  (t) => [
    index("mail_outbox_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
    index("mail_outbox_created_idx").on(t.createdAt, t.id),
  ],
);
