import { randomUUID } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { emailVerifications, users } from "../../db/schema/index.js";
import { addSeconds } from "../../lib/clock.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { otpEmail } from "../password-reset/emails.js";
import { otpErrors } from "../password-reset/errors.js";
import { generateOtp, hashOtp, otpKey, otpMatches } from "../password-reset/otp.js";
import { logOtpEvent } from "../password-reset/repository.js";
import { findUserByEmail, type UserRow } from "../users/repository.js";

type VerificationRow = typeof emailVerifications.$inferSelect;

function log(services: Services, ctx: RequestContext | null, event: Parameters<typeof logOtpEvent>[1]["event"], row: { id: string; userId: string; email: string }, db: DbOrTx = services.db) {
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

async function latestFor(db: DbOrTx, userId: string): Promise<VerificationRow | undefined> {
  const [row] = await db.select().from(emailVerifications).where(eq(emailVerifications.userId, userId)).orderBy(desc(emailVerifications.createdAt)).limit(1);
  return row;
}

/** Sends the code; a failure is logged and reported as false, never thrown (the account stays). */
async function deliver(services: Services, row: VerificationRow, code: string, ctx: RequestContext | null, onFailure?: () => Promise<void>): Promise<boolean> {
  try {
    await services.mailer.send(otpEmail(row.email, code, Math.round(services.config.EMAIL_VERIFICATION_TTL_SECONDS / 60), "email_verification"));
    await log(services, ctx, "sent", row);
    return true;
  } catch {
    await log(services, ctx, "send_failed", row);
    await onFailure?.();
    return false;
  }
}

/**
 * Starts (or restarts) verification of the user's current address: earlier codes stop working and a
 * new one is emailed. Used at registration, admin creation and email change. Returns whether the
 * email went out.
 */
export async function startEmailVerification(services: Services, user: Pick<UserRow, "id" | "email">, ctx: RequestContext | null): Promise<boolean> {
  const { db, clock, config } = services;
  const now = clock.now();
  const id = randomUUID();
  const code = generateOtp();
  const row = await db.transaction(async (tx) => {
    await tx
      .update(emailVerifications)
      .set({ status: "superseded", updatedAt: now })
      .where(and(eq(emailVerifications.userId, user.id), eq(emailVerifications.status, "pending")));
    const [inserted] = await tx
      .insert(emailVerifications)
      .values({ id, userId: user.id, email: user.email, otpHash: hashOtp(otpKey(services.config.JWT_SECRET), id, code), expiresAt: addSeconds(now, config.EMAIL_VERIFICATION_TTL_SECONDS), lastSentAt: now, createdAt: now, updatedAt: now })
      .returning();
    await log(services, ctx, "requested", inserted!, tx);
    return inserted!;
  });
  return deliver(services, row, code, ctx, async () => {
    // An email that did not go out must not hold back the next resend.
    await db.update(emailVerifications).set({ lastSentAt: null }).where(eq(emailVerifications.id, row.id));
  });
}

/** Same answer for unknown or already verified addresses; cooldown and cap for real ones. */
export async function resendVerification(services: Services, email: string, ctx: RequestContext): Promise<void> {
  const { db, clock, config } = services;
  const user = await findUserByEmail(db, email.trim().toLowerCase());
  if (!user || user.emailVerifiedAt) return;
  const now = clock.now();
  const current = await latestFor(db, user.id);
  if (current?.lastSentAt) {
    const wait = Math.ceil((current.lastSentAt.getTime() + config.OTP_RESEND_COOLDOWN_SECONDS * 1000 - now.getTime()) / 1000);
    if (wait > 0) throw otpErrors.cooldown(wait);
  }
  const resends = current?.resendCount ?? 0;
  if (current && resends >= config.OTP_MAX_RESENDS) throw otpErrors.resendLimit(config.OTP_MAX_RESENDS);
  const code = generateOtp();
  const id = randomUUID();
  const row = await db.transaction(async (tx) => {
    if (current) await tx.update(emailVerifications).set({ status: "superseded", updatedAt: now }).where(and(eq(emailVerifications.id, current.id), eq(emailVerifications.status, "pending")));
    const [inserted] = await tx
      .insert(emailVerifications)
      .values({
        id,
        userId: user.id,
        email: user.email,
        otpHash: hashOtp(otpKey(services.config.JWT_SECRET), id, code),
        expiresAt: addSeconds(now, config.EMAIL_VERIFICATION_TTL_SECONDS),
        resendCount: current ? resends + 1 : 0,
        lastSentAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await log(services, ctx, "resent", inserted!, tx);
    return inserted!;
  });
  await deliver(services, row, code, ctx, async () => {
    await db.update(emailVerifications).set({ lastSentAt: null, resendCount: Math.max(0, row.resendCount - 1) }).where(eq(emailVerifications.id, row.id));
  });
}

/** Checks a code: each code has OTP_MAX_ATTEMPTS tries; the right one marks the address verified. */
export async function verifyEmail(services: Services, input: { email: string; otp: string }, ctx: RequestContext): Promise<void> {
  const { db, clock, config } = services;
  const now = clock.now();
  const user = await findUserByEmail(db, input.email.trim().toLowerCase());
  const row = user && !user.emailVerifiedAt ? await latestFor(db, user.id) : undefined;
  if (!user || !row || row.email !== user.email || row.status === "verified" || row.status === "superseded") throw otpErrors.noActiveCode();
  if (row.status === "blocked") throw otpErrors.blocked();
  if (row.status === "expired") throw otpErrors.expired();
  if (row.expiresAt <= now) {
    await db.transaction(async (tx) => {
      await tx.update(emailVerifications).set({ status: "expired", updatedAt: now }).where(and(eq(emailVerifications.id, row.id), eq(emailVerifications.status, "pending")));
      await log(services, ctx, "expired", row, tx);
    });
    throw otpErrors.expired();
  }
  if (!otpMatches(otpKey(services.config.JWT_SECRET), row.id, input.otp, row.otpHash)) {
    const left = await db.transaction(async (tx) => {
      const [updated] = await tx
        .update(emailVerifications)
        .set({ attempts: sql`${emailVerifications.attempts} + 1`, updatedAt: now })
        .where(and(eq(emailVerifications.id, row.id), eq(emailVerifications.status, "pending")))
        .returning({ attempts: emailVerifications.attempts });
      if (!updated) return undefined;
      if (updated.attempts >= config.OTP_MAX_ATTEMPTS) {
        await tx.update(emailVerifications).set({ status: "blocked" }).where(eq(emailVerifications.id, row.id));
        await log(services, ctx, "blocked", row, tx);
        return 0;
      }
      await log(services, ctx, "verify_failed", row, tx);
      return config.OTP_MAX_ATTEMPTS - updated.attempts;
    });
    if (left === 0) throw otpErrors.blocked();
    throw left === undefined ? otpErrors.noActiveCode() : otpErrors.wrongCode(left);
  }
  await db.transaction(async (tx) => {
    const [done] = await tx
      .update(emailVerifications)
      .set({ status: "verified", verifiedAt: now, updatedAt: now })
      .where(and(eq(emailVerifications.id, row.id), eq(emailVerifications.status, "pending")))
      .returning();
    if (!done) throw otpErrors.noActiveCode();
    await tx.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, user.id));
    await log(services, ctx, "verified", row, tx);
    await recordAudit(tx, { ...ctx, actorId: user.id }, { action: "user.email_verified", entityType: "user", entityId: user.id, details: { email: user.email } });
  });
}
