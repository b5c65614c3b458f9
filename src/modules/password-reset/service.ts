import { randomBytes, timingSafeEqual } from "node:crypto";
import { addSeconds } from "../../lib/clock.js";
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
import { otpErrors } from "../otp/errors.js";
import { checkCode, codeMail, newCode, otpLogger, resendHeldBack, throttleOtpCalls } from "../otp/service.js";
import { passwordChangedEmail } from "./emails.js";
import { invalidResetToken } from "./errors.js";
import {
  countRequestsSince,
  expireLiveRequests,
  insertRequest,
  latestRequest,
  lockAddress,
  type ResetRequestRow,
  updateRequestIf,
} from "./repository.js";

export const GENERIC_REQUEST_MESSAGE = "If the account exists, a code has been sent" as const;

/** The code's email, queued in the caller's transaction (the outbox worker sends it after commit). */
function queueCode(services: Services, tx: DbOrTx, request: ResetRequestRow, code: string) {
  return enqueueMail(tx, codeMail(services.config, "password_reset", request, code), services.clock.now());
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
  const log = otpLogger(services, "password_reset", ctx, email);
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
    const { id, code, otpHash, expiresAt } = newCode(config, "password_reset", now);
    const request = await insertRequest(tx, {
      id,
      userId: owner?.id ?? null,
      email,
      phoneSubmitted: phone ?? null,
      otpHash,
      otpExpiresAt: expiresAt,
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
  const log = otpLogger(services, "password_reset", ctx, email);
  const now = clock.now();

  const resent = await db.transaction(async (tx) => {
    await lockAddress(tx, email);
    const request = await latestRequest(tx, email);
    if (request?.status !== "pending") return undefined;
    if (resendHeldBack(config, request, now)) {
      await log("request_limited", request, tx);
      return undefined;
    }
    const { code, otpHash, expiresAt } = newCode(config, "password_reset", now, request.id);
    const updated = await updateRequestIf(tx, request.id, "pending", {
      otpHash,
      otpExpiresAt: expiresAt,
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
  const log = otpLogger(services, "password_reset", ctx, email);
  const now = clock.now();
  const request = await latestRequest(db, email);

  // A request made for an address with no (verified) account has nothing to verify: it answers like
  // no request at all, as does an address whose phone did not match (no request is made for it).
  if (!request || request.userId === null || request.status === "used" || request.status === "verified")
    throw otpErrors.noActiveCode();
  if (request.status === "blocked") throw otpErrors.blocked();
  if (request.status === "expired") throw otpErrors.expired();
  const check = await checkCode(
    services,
    "password_reset",
    { id: request.id, otpHash: request.otpHash, expiresAt: request.otpExpiresAt },
    input.otp,
    (event, tx) => log(event, request, tx),
    (tx, attempts) =>
      recordAudit(
        tx,
        { ...ctx, actorId: null },
        {
          action: "otp.blocked",
          entityType: "user",
          entityId: request.userId,
          details: { requestId: request.id, attempts },
        },
      ),
  );
  if (!check.ok) {
    if (check.reason === "expired") throw otpErrors.expired();
    if (check.reason === "blocked") throw otpErrors.blocked();
    throw check.reason === "wrong" ? otpErrors.wrongCode(check.attemptsLeft) : otpErrors.noActiveCode();
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
  if (!tokenOk || !request?.userId) throw invalidResetToken();
  const user = await findUserById(db, request.userId);
  if (!user) throw invalidResetToken();
  assertAcceptablePassword(input.newPassword, [user.email, user.name], passwordPath);
  const passwordHash = await hashPassword(input.newPassword, config.BCRYPT_COST);

  await db.transaction(async (tx) => {
    const used = await updateRequestIf(tx, request.id, "verified", {
      status: "used",
      usedAt: now,
      resetTokenHash: null,
      updatedAt: now,
    });
    if (!used) throw invalidResetToken();
    await updateUser(tx, user.id, { passwordHash, passwordChangedAt: now, mustChangePassword: false }, now);
    // Seed 002 reset_failed_login_attempts: a reset proves the owner, so the automatic lock from
    // failed sign-ins goes. An administrator's lock stays: only an admin lifts it.
    await clearLockouts(tx, user.id);
    const sessionsEnded = await endUserSessions(tx, user.id, "password_reset", now);
    await otpLogger(services, "password_reset", ctx, email)("used", request, tx);
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
