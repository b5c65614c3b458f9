import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Config } from "../../config.js";
import type { Db, DbOrTx } from "../../db/client.js";
import { mailOutbox, type OtpPurpose } from "../../db/schema/index.js";
import { addSeconds, type Clock } from "../../lib/clock.js";
import { diagnoseSmtpError } from "../../lib/smtp.js";
import { recordAudit } from "../audit/service.js";
import { logOtpEvent } from "../otp/repository.js";
import type { Mailer, MailMessage } from "./mailer.js";

export type OutboxRow = typeof mailOutbox.$inferSelect;

export interface OutboxMessage extends MailMessage {
  /** What the message is; codes are `password_reset_code` / `email_verification_code` (logged in otp_logs). */
  kind: string;
  userId?: string | null;
  /** The reset request or verification row the code belongs to. */
  relatedId?: string | null;
}

const OTP_KINDS: Record<string, OtpPurpose> = {
  password_reset_code: "password_reset",
  email_verification_code: "email_verification",
};

/**
 * Queues a message. Call it inside the transaction of the change that causes the message, then
 * `services.mailOutbox.wake()` once that transaction has committed.
 */
export async function enqueueMail(tx: DbOrTx, message: OutboxMessage, now: Date): Promise<void> {
  await tx.insert(mailOutbox).values({
    kind: message.kind,
    toAddress: message.to,
    subject: message.subject,
    textBody: message.text,
    htmlBody: message.html,
    userId: message.userId ?? null,
    relatedId: message.relatedId ?? null,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * Claims up to `limit` due rows. SKIP LOCKED lets several instances drain one outbox without
 * sending a message twice; the claim is a lease (`next_attempt_at`), so a row held by an instance
 * that died is picked up again once the lease runs out.
 */
async function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<OutboxRow[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(inArray(mailOutbox.status, ["pending", "sending"]), lte(mailOutbox.nextAttemptAt, now)))
      .orderBy(mailOutbox.nextAttemptAt)
      .limit(limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(mailOutbox)
      .set({ status: "sending", attempts: sql`${mailOutbox.attempts} + 1`, nextAttemptAt: leaseUntil, updatedAt: now })
      .where(
        inArray(
          mailOutbox.id,
          due.map((r) => r.id),
        ),
      )
      .returning();
  });
}

/** Fix text for each failure category, for the admin view and `crm doctor`. */
export function fixFor(category: string | null, config: Config): string | null {
  if (!category) return null;
  return diagnoseSmtpError(
    {
      SMTP_AUTH_REJECTED: { responseCode: 535 },
      SMTP_TIMEOUT: { code: "ETIMEDOUT" },
      SMTP_UNREACHABLE: { code: "ECONNREFUSED" },
    }[category] ?? { message: category },
    config.SMTP_HOST,
    config.SMTP_PORT,
  ).fix;
}

export interface MailOutbox {
  /** Deliver soon (next tick): call right after the transaction that queued a message commits. */
  wake(): void;
  /** Delivers every due message now; resolves when done (tests and the dev outbox use it). */
  drain(): Promise<number>;
  start(): void;
  /** Stops the timers and waits for the delivery in progress. */
  stop(): Promise<void>;
}

export interface OutboxLogger {
  warn(obj: object, msg: string): void;
}

const BATCH = 20;
const MAX_BACKOFF_SECONDS = 3600;

export function createMailOutbox(deps: {
  db: Db;
  mailer: Mailer;
  config: Config;
  clock: Clock;
  log: OutboxLogger;
}): MailOutbox {
  const { db, mailer, config, clock, log } = deps;
  // A claimed row is someone's for as long as one SMTP exchange can take, plus a margin.
  const leaseSeconds = (config.SMTP_TIMEOUT_MS * 4) / 1000 + 30;
  let stopped = false;
  let poll: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<number> | undefined;

  const otpEvent = (tx: DbOrTx, row: OutboxRow, event: "sent" | "send_failed") => {
    const purpose = OTP_KINDS[row.kind];
    if (!purpose) return;
    return logOtpEvent(tx, {
      event,
      purpose,
      userId: row.userId,
      requestId: row.relatedId,
      email: row.toAddress,
      ip: null,
      userAgent: null,
      now: clock.now(),
    });
  };

  async function deliver(row: OutboxRow) {
    try {
      await mailer.send({
        to: row.toAddress,
        subject: row.subject,
        text: row.textBody ?? "",
        html: row.htmlBody ?? "",
      });
    } catch (err) {
      const d = diagnoseSmtpError(err, config.SMTP_HOST, config.SMTP_PORT);
      const final = row.attempts >= config.MAIL_MAX_ATTEMPTS;
      const now = clock.now();
      const backoff = Math.min(config.MAIL_RETRY_SECONDS * 2 ** (row.attempts - 1), MAX_BACKOFF_SECONDS);
      const message = err instanceof Error ? err.message : String(err);
      await db.transaction(async (tx) => {
        await tx
          .update(mailOutbox)
          .set({
            status: final ? "failed" : "pending",
            nextAttemptAt: final ? now : addSeconds(now, backoff),
            errorCategory: d.category,
            lastError: message.slice(0, 500),
            updatedAt: now,
            ...(final ? { textBody: null, htmlBody: null } : {}),
          })
          .where(and(eq(mailOutbox.id, row.id), eq(mailOutbox.status, "sending")));
        await otpEvent(tx, row, "send_failed");
        await recordAudit(
          tx,
          { actorType: "system" },
          {
            action: "email.delivery_failed",
            entityType: "mail",
            entityId: row.id,
            details: {
              category: d.category,
              fix: d.fix,
              kind: row.kind,
              attempt: row.attempts,
              final,
              userId: row.userId,
            },
          },
        );
      });
      log.warn(
        { mailId: row.id, kind: row.kind, category: d.category, attempt: row.attempts, final },
        `email delivery failed (${d.category}): ${d.fix}`,
      );
      return;
    }
    const now = clock.now();
    await db.transaction(async (tx) => {
      await tx
        .update(mailOutbox)
        .set({ status: "sent", sentAt: now, textBody: null, htmlBody: null, errorCategory: null, updatedAt: now })
        .where(eq(mailOutbox.id, row.id));
      await otpEvent(tx, row, "sent");
    });
  }

  async function processDue(): Promise<number> {
    let total = 0;
    while (!stopped) {
      const now = clock.now();
      const batch = await claimDue(db, now, addSeconds(now, leaseSeconds), BATCH);
      if (batch.length === 0) break;
      for (const row of batch) await deliver(row);
      total += batch.length;
    }
    return total;
  }

  function drain(): Promise<number> {
    // A run that has not started yet will see everything committed so far: share it.
    if (queued) return queued;
    const run = chain.then(() => {
      queued = undefined;
      return processDue();
    });
    queued = run;
    chain = run.catch((err) => log.warn({ err }, "mail outbox: delivery round failed; will retry"));
    return run;
  }

  return {
    wake() {
      if (stopped || immediate) return;
      immediate = setImmediate(() => {
        immediate = undefined;
        drain().catch(() => {});
      });
    },
    drain,
    start() {
      if (stopped || poll) return;
      // The poll is for retries and rows other instances queued; fresh mail is sent on wake().
      poll = setInterval(() => drain().catch(() => {}), config.MAIL_POLL_SECONDS * 1000);
      poll.unref();
      drain().catch(() => {});
    },
    async stop() {
      stopped = true;
      if (poll) clearInterval(poll);
      if (immediate) clearImmediate(immediate);
      poll = undefined;
      immediate = undefined;
      await chain;
    },
  };
}
