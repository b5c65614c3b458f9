import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { addSeconds } from "../../lib/clock.js";
import { rateLimited } from "../../lib/errors.js";
import { requirePhone } from "../../lib/phone.js";
import type { DbOrTx } from "../../db/client.js";
import type { RequestContext, Services } from "../../services.js";
import { clearLockouts } from "../auth/lockouts.js";
import { recordAudit } from "../audit/service.js";
import { endUserSessions } from "../auth/sessions.js";
import { sha256Hex } from "../auth/tokens.js";
import { assertAcceptablePassword, hashPassword } from "../users/password.js";
import { findUserByEmail, findUserById, updateUser } from "../users/repository.js";
import { enqueueMail } from "../mail/outbox.js";
import { otpEmail, passwordChangedEmail } from "./emails.js";
import { otpErrors } from "./errors.js";
import { generateOtp, hashOtp, otpKey, otpMatches } from "./otp.js";
import {
  countRequestsSince,
  countWrongAttempt,
  expireLiveRequests,
  insertRequest,
  latestRequest,
  lockAddress,
  logOtpEvent,
  type ResetRequestRow,
  updateRequestIf,
} from "./repository.js";

export const GENERIC_REQUEST_MESSAGE = "If the account exists, a code has been sent" as const;

function eventLogger(services: Services, ctx: RequestContext, email: string) {
  return (
    event: Parameters<typeof logOtpEvent>[1]["event"],
    request: { id?: string | null; userId?: string | null } | null,
    db: DbOrTx = services.db,
  ) =>
    logOtpEvent(db, {
      event,
      userId: request?.userId ?? null,
      requestId: request?.id ?? null,
      email,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      now: services.clock.now(),
    });
}

/** All OTP routes (reset and verification) share one budget per IP: guessing codes is what it holds back. */
export async function throttleOtpCalls(services: Services, ip: string) {
  const { limiter, config } = services;
  const wait = await limiter.hit(`otp:ip:${ip}`, config.RATE_LIMIT_OTP_PER_IP, config.RATE_LIMIT_WINDOW_SECONDS);
  if (wait) throw rateLimited(wait);
}

/** The code's email, queued in the caller's transaction (the outbox worker sends it after commit). */
function queueCode(services: Services, tx: DbOrTx, request: ResetRequestRow, code: string) {
  const mail = otpEmail(request.email, code, Math.round(services.config.OTP_TTL_SECONDS / 60), "password_reset");
  return enqueueMail(
    tx,
    { ...mail, kind: "password_reset_code", userId: request.userId, relatedId: request.id },
    services.clock.now(),
  );
}

/**
 * Seed 000 request-otp. Answers the same, in the same time, whatever the input: the email is queued
 * in the outbox, never awaited. An unknown address gets a request row too (user_id null, nothing
 * sent) so the follow-up steps answer alike. A real email with someone else's phone changes nothing
 * for the real account (its live request and daily budget stay). Only a verified address is mailed.
 */
export async function requestPasswordReset(
  services: Services,
  input: { email: string; phone?: string },
  ctx: RequestContext,
): Promise<{ otp?: string }> {
  const { db, clock, config } = services;
  await throttleOtpCalls(services, ctx.ip);
  const email = input.email.trim().toLowerCase();
  let phone: string | undefined;
  if (input.phone !== undefined) {
    phone = requirePhone(input.phone).e164;
  }
  const user = await findUserByEmail(db, email);
  // The seed-004 route has no phone; the /api route requires it to match the account's.
  const mismatch = user !== undefined && input.phone !== undefined && user.phone !== phone;
  const owner = user && !mismatch && user.emailVerifiedAt ? user : undefined;
  const log = eventLogger(services, ctx, email);
  const now = clock.now();

  if (mismatch) {
    // Someone naming a real address with another phone must not end its owner's pending code.
    await db.transaction(async (tx) => {
      await lockAddress(tx, email);
      await recordAudit(
        tx,
        { ...ctx, actorId: null },
        { action: "otp.request_mismatch", entityType: "user", entityId: user.id, details: {} },
      );
    });
    return {};
  }

  const created = await db.transaction(async (tx) => {
    await lockAddress(tx, email);
    const recent = await countRequestsSince(tx, email, addSeconds(now, -86_400));
    if (recent >= config.OTP_MAX_REQUESTS_PER_DAY) {
      await log("request_limited", { userId: owner?.id }, tx);
      await recordAudit(
        tx,
        { ...ctx, actorId: null },
        { action: "otp.request_limited", entityType: "user", entityId: owner?.id, details: { recentRequests: recent } },
      );
      return undefined;
    }
    for (const ended of await expireLiveRequests(tx, email, now)) await log("expired", ended, tx);
    const id = randomUUID();
    const code = generateOtp();
    const request = await insertRequest(tx, {
      id,
      userId: owner?.id ?? null,
      email,
      phoneSubmitted: phone ?? null,
      otpHash: hashOtp(otpKey(services.config.JWT_SECRET), id, code),
      otpExpiresAt: addSeconds(now, config.OTP_TTL_SECONDS),
      lastSentAt: now,
      ip: ctx.ip,
      createdAt: now,
      updatedAt: now,
    });
    await log("requested", request, tx);
    await recordAudit(
      tx,
      { ...ctx, actorId: null },
      { action: "otp.requested", entityType: "user", entityId: owner?.id, details: { requestId: id } },
    );
    if (owner) await queueCode(services, tx, request, code);
    return { request, code };
  });

  if (!created || !owner) return {};
  services.mailOutbox.wake();
  return config.OTP_IN_RESPONSE ? { otp: created.code } : {};
}

/**
 * Seed 000 resend-otp: a new code (the previous one stops working). One answer for every input
 * (issue 11): the cooldown, the resend cap and a blocked code hold the mail back silently, since
 * an error only some addresses can get would tell which ones have a live request.
 */
export async function resendPasswordResetCode(
  services: Services,
  input: { email: string },
  ctx: RequestContext,
): Promise<{ otp?: string }> {
  const { db, clock, config } = services;
  await throttleOtpCalls(services, ctx.ip);
  const email = input.email.trim().toLowerCase();
  const log = eventLogger(services, ctx, email);
  const now = clock.now();

  const resent = await db.transaction(async (tx) => {
    await lockAddress(tx, email);
    const request = await latestRequest(tx, email);
    if (request?.status !== "pending") return undefined;
    const coolingDown =
      request.lastSentAt !== null &&
      request.lastSentAt.getTime() + config.OTP_RESEND_COOLDOWN_SECONDS * 1000 > now.getTime();
    if (coolingDown || request.resendCount >= config.OTP_MAX_RESENDS) {
      await log("request_limited", request, tx);
      return undefined;
    }
    const code = generateOtp();
    const updated = await updateRequestIf(tx, request.id, "pending", {
      otpHash: hashOtp(otpKey(services.config.JWT_SECRET), request.id, code),
      otpExpiresAt: addSeconds(now, config.OTP_TTL_SECONDS),
      resendCount: request.resendCount + 1,
      lastSentAt: now,
      updatedAt: now,
    });
    await log("resent", request, tx);
    await recordAudit(
      tx,
      { ...ctx, actorId: null },
      {
        action: "otp.resent",
        entityType: "user",
        entityId: request.userId,
        details: { requestId: request.id, resendCount: request.resendCount + 1 },
      },
    );
    if (request.userId) await queueCode(services, tx, updated!, code);
    return { request: updated!, code };
  });

  if (!resent?.request.userId) return {};
  services.mailOutbox.wake();
  return config.OTP_IN_RESPONSE ? { otp: resent.code } : {};
}

/** Seed 000 verify-otp: pending → verified, returning a single-use reset token bound to this request. */
export async function verifyPasswordResetCode(
  services: Services,
  input: { email: string; otp: string },
  ctx: RequestContext,
): Promise<{ resetToken: string; expiresIn: number }> {
  const { db, clock, config } = services;
  await throttleOtpCalls(services, ctx.ip);
  const email = input.email.trim().toLowerCase();
  const log = eventLogger(services, ctx, email);
  const now = clock.now();
  const request = await latestRequest(db, email);

  // A request made for an address with no (verified) account has nothing to verify: it answers like
  // no request at all, as does an address whose phone did not match (no request is made for it).
  if (!request || request.userId === null || request.status === "used" || request.status === "verified")
    throw otpErrors.noActiveCode();
  if (request.status === "blocked") throw otpErrors.blocked();
  if (request.status === "expired") throw otpErrors.expired();
  if (request.otpExpiresAt <= now) {
    await db.transaction(async (tx) => {
      if (await updateRequestIf(tx, request.id, "pending", { status: "expired", updatedAt: now }))
        await log("expired", request, tx);
    });
    throw otpErrors.expired();
  }

  if (!otpMatches(otpKey(services.config.JWT_SECRET), request.id, input.otp, request.otpHash)) {
    const attemptsLeft = await db.transaction(async (tx) => {
      const attempts = await countWrongAttempt(tx, request.id, now);
      if (attempts === undefined) return undefined;
      if (attempts >= config.OTP_MAX_ATTEMPTS) {
        await updateRequestIf(tx, request.id, "pending", { status: "blocked", updatedAt: now });
        await log("blocked", request, tx);
        await recordAudit(
          tx,
          { ...ctx, actorId: null },
          {
            action: "otp.blocked",
            entityType: "user",
            entityId: request.userId,
            details: { requestId: request.id, attempts },
          },
        );
        return 0;
      }
      await log("verify_failed", request, tx);
      return config.OTP_MAX_ATTEMPTS - attempts;
    });
    if (attemptsLeft === 0) throw otpErrors.blocked();
    throw attemptsLeft === undefined ? otpErrors.noActiveCode() : otpErrors.wrongCode(attemptsLeft);
  }

  const resetToken = randomBytes(32).toString("base64url");
  const verified = await db.transaction(async (tx) => {
    const row = await updateRequestIf(tx, request.id, "pending", {
      status: "verified",
      verifiedAt: now,
      resetTokenHash: sha256Hex(resetToken),
      resetTokenExpiresAt: addSeconds(now, config.RESET_TOKEN_TTL_SECONDS),
      updatedAt: now,
    });
    if (!row) return false;
    await log("verified", request, tx);
    await recordAudit(
      tx,
      { ...ctx, actorId: request.userId },
      { action: "otp.verified", entityType: "user", entityId: request.userId, details: { requestId: request.id } },
    );
    return true;
  });
  if (!verified) throw otpErrors.noActiveCode();
  return { resetToken, expiresIn: config.RESET_TOKEN_TTL_SECONDS };
}

/** Password rules are checked before a code is spent, so a weak password does not cost an attempt. */
export async function assertResetPasswordAcceptable(services: Services, email: string, password: string, path: string) {
  const user = await findUserByEmail(services.db, email.trim().toLowerCase());
  assertAcceptablePassword(password, user ? [user.email, user.name] : [email], path);
}

/**
 * Seed 000 set-new-password. Ends every session and refresh token, clears the lock, and confirms by
 * email; it does not sign the user in.
 */
export async function setNewPassword(
  services: Services,
  input: { email: string; resetToken: string; newPassword: string },
  ctx: RequestContext,
  passwordPath = "/newPassword",
): Promise<void> {
  const { db, clock, config } = services;
  const email = input.email.trim().toLowerCase();
  const now = clock.now();
  const request = await latestRequest(db, email);
  const tokenOk =
    request?.status === "verified" &&
    request.userId !== null &&
    request.resetTokenHash !== null &&
    request.resetTokenExpiresAt !== null &&
    request.resetTokenExpiresAt > now &&
    timingSafeEqual(Buffer.from(sha256Hex(input.resetToken), "hex"), Buffer.from(request.resetTokenHash, "hex"));
  if (!tokenOk || !request?.userId) throw otpErrors.invalidResetToken();
  const user = await findUserById(db, request.userId);
  if (!user) throw otpErrors.invalidResetToken();
  assertAcceptablePassword(input.newPassword, [user.email, user.name], passwordPath);
  const passwordHash = await hashPassword(input.newPassword, config.BCRYPT_COST);

  await db.transaction(async (tx) => {
    const used = await updateRequestIf(tx, request.id, "verified", {
      status: "used",
      usedAt: now,
      resetTokenHash: null,
      updatedAt: now,
    });
    if (!used) throw otpErrors.invalidResetToken();
    await updateUser(tx, user.id, { passwordHash, passwordChangedAt: now, mustChangePassword: false }, now);
    // Seed 002 reset_failed_login_attempts: a reset proves the owner, so the automatic lock from
    // failed sign-ins goes. An administrator's lock stays: only an admin lifts it.
    await clearLockouts(tx, user.id);
    const sessionsEnded = await endUserSessions(tx, user.id, "password_reset", now);
    await eventLogger(services, ctx, email)("used", request, tx);
    await recordAudit(
      tx,
      { ...ctx, actorId: user.id },
      {
        action: "user.password_reset",
        entityType: "user",
        entityId: user.id,
        details: { requestId: request.id, sessionsEnded },
      },
    );
    await enqueueMail(tx, { ...passwordChangedEmail(user.email), kind: "password_changed", userId: user.id }, now);
  });
  services.mailOutbox.wake();
}
