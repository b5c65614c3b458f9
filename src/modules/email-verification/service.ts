import type { DbOrTx } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { autoApproveByDomain } from "../admin-users/approval.js";
import { enqueueMail } from "../mail/outbox.js";
import { checkCode, codeMail, newCode, otpLogger, resendHeldBack } from "../otp/service.js";
import { accountNoticeEmail } from "../users/notices.js";
import { findUserById, updateUser } from "../users/repository.js";
import {
  accountAwaiting,
  insertVerification,
  latestVerification,
  markVerified,
  supersedePending,
  type VerificationRow,
} from "./repository.js";

/**
 * One answer for every failed verification (wrong, expired, blocked or no code; unknown or verified
 * address): distinct answers would tell an outsider which addresses are accounts waiting for a code.
 * The rules still apply inside (OTP_MAX_ATTEMPTS wrong codes end a code, codes expire).
 */
const notAccepted = () =>
  new AppError("INVALID_OTP", "The code is not correct or is no longer valid; request a new one");

/** The code's email, queued in the caller's transaction (the outbox worker sends it after commit). */
function queueCode(services: Services, tx: DbOrTx, row: VerificationRow, code: string) {
  return enqueueMail(tx, codeMail(services.config, "email_verification", row, code), services.clock.now());
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
  const { code, ...stored } = newCode(config, "email_verification", now);
  await supersedePending(tx, { userId }, now);
  const inserted = await insertVerification(tx, {
    ...stored,
    userId,
    email: address,
    lastSentAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await otpLogger(services, "email_verification", ctx)("requested", inserted, tx);
  await queueCode(services, tx, inserted, code);
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
  const current = await latestVerification(db, { userId: user.id });
  const log = otpLogger(services, "email_verification", ctx);
  const sameAddress = current?.email === address;
  if (sameAddress && resendHeldBack(config, current, now)) {
    await log("request_limited", { id: current.id, userId: user.id, email: address });
    return;
  }
  const { code, ...stored } = newCode(config, "email_verification", now);
  await db.transaction(async (tx) => {
    if (current) await supersedePending(tx, { id: current.id }, now);
    const inserted = await insertVerification(tx, {
      ...stored,
      userId: user.id,
      email: address,
      resendCount: sameAddress ? current.resendCount + 1 : 0,
      lastSentAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await log("resent", inserted, tx);
    await queueCode(services, tx, inserted, code);
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
  const { db, clock } = services;
  const now = clock.now();
  const address = input.email.trim().toLowerCase();
  const row = await latestVerification(db, { email: address });
  const user = row ? await findUserById(db, row.userId) : undefined;
  const awaiting = user && ((user.email === address && !user.emailVerifiedAt) || user.pendingEmail === address);
  if (!row || !user || !awaiting || row.status !== "pending") throw notAccepted();
  const log = otpLogger(services, "email_verification", ctx);
  const check = await checkCode(services, "email_verification", row, input.otp, (event, tx) => log(event, row, tx));
  if (!check.ok) throw notAccepted();
  const changing = user.pendingEmail === address && user.email !== address;
  await db.transaction(async (tx) => {
    if (!(await markVerified(tx, row.id, now))) throw notAccepted();
    if (changing) {
      await updateUser(tx, user.id, { email: address, pendingEmail: null, emailVerifiedAt: now }, now);
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
      await updateUser(tx, user.id, { emailVerifiedAt: now }, now);
    }
    await log("verified", row, tx);
    await recordAudit(
      tx,
      { ...ctx, actorId: user.id },
      { action: "user.email_verified", entityType: "user", entityId: user.id, details: { email: address } },
    );
    await autoApproveByDomain(services, tx, user, address, ctx);
  });
  services.mailOutbox.wake();
}
