import { randomUUID } from "node:crypto";
import type { Config } from "../../config.js";
import type { DbOrTx } from "../../db/client.js";
import type { OtpEvent, OtpPurpose } from "../../db/schema/index.js";
import { addSeconds } from "../../lib/clock.js";
import { rateLimited } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { generateOtp, hashOtp, otpKey, otpMatches } from "./codes.js";
import { otpEmail } from "./emails.js";
import { closeCode, countWrongAttempt, logOtpEvent } from "./repository.js";

/** What differs between the purposes: how long a code lives and the outbox kind of its email. */
const PURPOSES = {
  password_reset: { ttlSeconds: (c: Config) => c.OTP_TTL_SECONDS, mailKind: "password_reset_code" },
  email_verification: {
    ttlSeconds: (c: Config) => c.EMAIL_VERIFICATION_TTL_SECONDS,
    mailKind: "email_verification_code",
  },
} satisfies Record<OtpPurpose, unknown>;

/** All OTP routes (reset and verification) share one budget per IP: guessing codes is what it holds back. */
export async function throttleOtpCalls(services: Services, ip: string) {
  const { limiter, config } = services;
  const wait = await limiter.hit(`otp:ip:${ip}`, config.RATE_LIMIT_OTP_PER_IP, config.RATE_LIMIT_WINDOW_SECONDS);
  if (wait) throw rateLimited(wait);
}

/**
 * A fresh code for the row `id` (a new row, or the one a resend renews): the code to mail, and the
 * keyed hash and expiry to store.
 */
export function newCode(config: Config, purpose: OtpPurpose, now: Date, id: string = randomUUID()) {
  const code = generateOtp();
  return {
    id,
    code,
    otpHash: hashOtp(otpKey(config.JWT_SECRET), id, code),
    expiresAt: addSeconds(now, PURPOSES[purpose].ttlSeconds(config)),
  };
}

/** The code's email as an outbox entry, for the caller to queue in the transaction that stored the code. */
export function codeMail(
  config: Config,
  purpose: OtpPurpose,
  row: { id: string; email: string; userId: string | null },
  code: string,
) {
  const { ttlSeconds, mailKind } = PURPOSES[purpose];
  const mail = otpEmail(row.email, code, Math.round(ttlSeconds(config) / 60), purpose);
  return { ...mail, kind: mailKind, userId: row.userId, relatedId: row.id };
}

/** The cooldown since the last mail and the cap of resends, which hold a new code back. */
export function resendHeldBack(config: Config, row: { lastSentAt: Date | null; resendCount: number }, now: Date) {
  const coolingDown =
    row.lastSentAt !== null && row.lastSentAt.getTime() + config.OTP_RESEND_COOLDOWN_SECONDS * 1000 > now.getTime();
  return coolingDown || row.resendCount >= config.OTP_MAX_RESENDS;
}

/** Logs the events of one request's codes in otp_logs; `email` fixes the address when the rows may lack it. */
export function otpLogger(services: Services, purpose: OtpPurpose, ctx: RequestContext | null, email?: string) {
  return (
    event: OtpEvent,
    row: { id?: string | null; userId?: string | null; email?: string },
    db: DbOrTx = services.db,
  ) =>
    logOtpEvent(db, {
      event,
      purpose,
      userId: row.userId ?? null,
      requestId: row.id ?? null,
      email: email ?? row.email ?? null,
      ip: ctx?.ip ?? null,
      userAgent: ctx?.userAgent ?? null,
      now: services.clock.now(),
    });
}

export type CodeCheck =
  | { ok: true }
  | { ok: false; reason: "expired" | "blocked" | "gone" }
  | { ok: false; reason: "wrong"; attemptsLeft: number };

/**
 * The checks a pending code goes through, for either purpose: its expiry, then the code itself in
 * constant time, each wrong one counted atomically until OTP_MAX_ATTEMPTS blocks it. Each step is
 * logged; "gone" means a concurrent step ended the code first. The caller turns the outcome into its
 * own answer; `onBlocked` runs in the transaction that blocks the code.
 */
export async function checkCode(
  services: Services,
  purpose: OtpPurpose,
  stored: { id: string; otpHash: string; expiresAt: Date },
  candidate: string,
  log: (event: OtpEvent, tx: DbOrTx) => Promise<void>,
  onBlocked?: (tx: DbOrTx, attempts: number) => Promise<void>,
): Promise<CodeCheck> {
  const { db, clock, config } = services;
  const now = clock.now();
  if (stored.expiresAt <= now) {
    await db.transaction(async (tx) => {
      if (await closeCode(tx, purpose, stored.id, "expired", now)) await log("expired", tx);
    });
    return { ok: false, reason: "expired" };
  }
  if (otpMatches(otpKey(config.JWT_SECRET), stored.id, candidate, stored.otpHash)) return { ok: true };
  return db.transaction(async (tx): Promise<CodeCheck> => {
    const attempts = await countWrongAttempt(tx, purpose, stored.id, now);
    if (attempts === undefined) return { ok: false, reason: "gone" };
    if (attempts >= config.OTP_MAX_ATTEMPTS) {
      await closeCode(tx, purpose, stored.id, "blocked", now);
      await log("blocked", tx);
      await onBlocked?.(tx, attempts);
      return { ok: false, reason: "blocked" };
    }
    await log("verify_failed", tx);
    return { ok: false, reason: "wrong", attemptsLeft: config.OTP_MAX_ATTEMPTS - attempts };
  });
}
