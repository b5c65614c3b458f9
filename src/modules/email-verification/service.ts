import { randomUUID } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { emailVerifications, users } from "../../db/schema/index.js";
import { addSeconds } from "../../lib/clock.js";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { autoApproveByDomain } from "../admin-users/approval.js";
import { enqueueMail } from "../mail/outbox.js";
import { accountNoticeEmail } from "../users/notices.js";
import { otpEmail } from "../password-reset/emails.js";
import { generateOtp, hashOtp, otpKey, otpMatches } from "../password-reset/otp.js";
import { logOtpEvent } from "../password-reset/repository.js";
import { findUserById } from "../users/repository.js";

type VerificationRow = typeof emailVerifications.$inferSelect;

function log(
  services: Services,
  ctx: RequestContext | null,
  event: Parameters<typeof logOtpEvent>[1]["event"],
  row: { id: string; userId: string; email: string },
  db: DbOrTx = services.db,
) {
  return logOtpEvent(db, {
    event,
    purpose: "email_verification",
    userId: row.userId,
    requestId: row.id,
    email: row.email,
    ip: ctx?.ip ?? null,
    userAgent: ctx?.userAgent ?? null,
    now: services.clock.now(),
  });
}

/**
 * One answer for every failed verification (wrong, expired, blocked or no code; unknown or verified
 * address): distinct answers would tell an outsider which addresses are accounts waiting for a code.
 * The rules still apply inside (OTP_MAX_ATTEMPTS wrong codes end a code, codes expire).
 */
const notAccepted = () =>
  new AppError("INVALID_OTP", "The code is not correct or is no longer valid; request a new one");

/** The newest code sent to an address, whoever it was for. */
async function latestForAddress(db: DbOrTx, email: string): Promise<VerificationRow | undefined> {
  const [row] = await db
    .select()
    .from(emailVerifications)
    .where(eq(emailVerifications.email, email))
    .orderBy(desc(emailVerifications.createdAt))
    .limit(1);
  return row;
}

async function latestForUser(db: DbOrTx, userId: string): Promise<VerificationRow | undefined> {
  const [row] = await db
    .select()
    .from(emailVerifications)
    .where(eq(emailVerifications.userId, userId))
    .orderBy(desc(emailVerifications.createdAt))
    .limit(1);
  return row;
}

/** The account a code for `email` would verify: its unverified address, or its pending new one. */
async function accountAwaiting(db: DbOrTx, email: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`(${users.email} = ${email} and ${users.emailVerifiedAt} is null) or ${users.pendingEmail} = ${email}`)
    .orderBy(desc(users.updatedAt))
    .limit(1);
  return row;
}

async function queueCode(services: Services, tx: DbOrTx, row: VerificationRow, code: string) {
  const mail = otpEmail(
    row.email,
    code,
    Math.round(services.config.EMAIL_VERIFICATION_TTL_SECONDS / 60),
    "email_verification",
  );
  await enqueueMail(
    tx,
    { ...mail, kind: "email_verification_code", userId: row.userId, relatedId: row.id },
    services.clock.now(),
  );
}

/**
 * Starts (or restarts) verification of `address` for a user (its own address at registration and
 * admin creation, or the pending new one after an email change): earlier codes stop working and a
 * code is queued. Runs in the caller's transaction; the caller wakes the outbox after commit.
 */
export async function startEmailVerification(
  services: Services,
  tx: DbOrTx,
  userId: string,
  address: string,
  ctx: RequestContext | null,
): Promise<void> {
  const { clock, config } = services;
  const now = clock.now();
  const id = randomUUID();
  const code = generateOtp();
  await tx
    .update(emailVerifications)
    .set({ status: "superseded", updatedAt: now })
    .where(and(eq(emailVerifications.userId, userId), eq(emailVerifications.status, "pending")));
  const [inserted] = await tx
    .insert(emailVerifications)
    .values({
      id,
      userId,
      email: address,
      otpHash: hashOtp(otpKey(config.JWT_SECRET), id, code),
      expiresAt: addSeconds(now, config.EMAIL_VERIFICATION_TTL_SECONDS),
      lastSentAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await log(services, ctx, "requested", inserted!, tx);
  await queueCode(services, tx, inserted!, code);
}

/**
 * One answer for every address. For an address awaiting verification, a new code is queued unless
 * the cooldown or the resend cap holds it back, which is logged (`request_limited`), not answered.
 */
export async function resendVerification(services: Services, email: string, ctx: RequestContext): Promise<void> {
  const { db, clock, config } = services;
  const address = email.trim().toLowerCase();
  const user = await accountAwaiting(db, address);
  if (!user) return;
  const now = clock.now();
  const current = await latestForUser(db, user.id);
  const sameAddress = current?.email === address;
  const resends = sameAddress ? current.resendCount : 0;
  const coolingDown =
    sameAddress &&
    current.lastSentAt !== null &&
    current.lastSentAt.getTime() + config.OTP_RESEND_COOLDOWN_SECONDS * 1000 > now.getTime();
  if (coolingDown || (sameAddress && resends >= config.OTP_MAX_RESENDS)) {
    await log(services, ctx, "request_limited", { id: current.id, userId: user.id, email: address });
    return;
  }
  const code = generateOtp();
  const id = randomUUID();
  await db.transaction(async (tx) => {
    if (current)
      await tx
        .update(emailVerifications)
        .set({ status: "superseded", updatedAt: now })
        .where(and(eq(emailVerifications.id, current.id), eq(emailVerifications.status, "pending")));
    const [inserted] = await tx
      .insert(emailVerifications)
      .values({
        id,
        userId: user.id,
        email: address,
        otpHash: hashOtp(otpKey(config.JWT_SECRET), id, code),
        expiresAt: addSeconds(now, config.EMAIL_VERIFICATION_TTL_SECONDS),
        resendCount: sameAddress ? resends + 1 : 0,
        lastSentAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await log(services, ctx, "resent", inserted!, tx);
    await queueCode(services, tx, inserted!, code);
  });
  services.mailOutbox.wake();
}

/**
 * Checks a code: each code has OTP_MAX_ATTEMPTS tries. The right one marks the address verified,
 * or, for a pending new address, makes it the sign-in address (the old one is told).
 */
export async function verifyEmail(
  services: Services,
  input: { email: string; otp: string },
  ctx: RequestContext,
): Promise<void> {
  const { db, clock, config } = services;
  const now = clock.now();
  const address = input.email.trim().toLowerCase();
  const row = await latestForAddress(db, address);
  const user = row ? await findUserById(db, row.userId) : undefined;
  const awaiting = user && ((user.email === address && !user.emailVerifiedAt) || user.pendingEmail === address);
  if (!row || !user || !awaiting || row.status !== "pending") throw notAccepted();
  if (row.expiresAt <= now) {
    await db.transaction(async (tx) => {
      await tx
        .update(emailVerifications)
        .set({ status: "expired", updatedAt: now })
        .where(and(eq(emailVerifications.id, row.id), eq(emailVerifications.status, "pending")));
      await log(services, ctx, "expired", row, tx);
    });
    throw notAccepted();
  }
  if (!otpMatches(otpKey(config.JWT_SECRET), row.id, input.otp, row.otpHash)) {
    await db.transaction(async (tx) => {
      const [updated] = await tx
        .update(emailVerifications)
        .set({ attempts: sql`${emailVerifications.attempts} + 1`, updatedAt: now })
        .where(and(eq(emailVerifications.id, row.id), eq(emailVerifications.status, "pending")))
        .returning({ attempts: emailVerifications.attempts });
      if (!updated) return;
      if (updated.attempts >= config.OTP_MAX_ATTEMPTS) {
        await tx.update(emailVerifications).set({ status: "blocked" }).where(eq(emailVerifications.id, row.id));
        await log(services, ctx, "blocked", row, tx);
        return;
      }
      await log(services, ctx, "verify_failed", row, tx);
    });
    throw notAccepted();
  }
  const changing = user.pendingEmail === address && user.email !== address;
  await db.transaction(async (tx) => {
    const [done] = await tx
      .update(emailVerifications)
      .set({ status: "verified", verifiedAt: now, updatedAt: now })
      .where(and(eq(emailVerifications.id, row.id), eq(emailVerifications.status, "pending")))
      .returning();
    if (!done) throw notAccepted();
    if (changing) {
      await tx
        .update(users)
        .set({ email: address, pendingEmail: null, emailVerifiedAt: now, updatedAt: now })
        .where(eq(users.id, user.id));
      await recordAudit(
        tx,
        { ...ctx, actorId: user.id },
        {
          action: "user.email_changed",
          entityType: "user",
          entityId: user.id,
          details: { from: user.email, to: address },
        },
      );
      await enqueueMail(
        tx,
        { ...accountNoticeEmail(user.email, "email_changed", address), kind: "email_changed_notice", userId: user.id },
        now,
      );
    } else {
      await tx.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, user.id));
    }
    await log(services, ctx, "verified", row, tx);
    await recordAudit(
      tx,
      { ...ctx, actorId: user.id },
      { action: "user.email_verified", entityType: "user", entityId: user.id, details: { email: address } },
    );
    await autoApproveByDomain(services, tx, user, address, ctx);
  });
  services.mailOutbox.wake();
}
