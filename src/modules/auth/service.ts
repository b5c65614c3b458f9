import { addMinutes, addSeconds } from "../../lib/clock.js";
import { AppError, rateLimited } from "../../lib/errors.js";
import { normalizePhone } from "../../lib/phone.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { verifyPassword } from "../users/password.js";
import { findUserByEmail, findUserByPhone, recordSuccessfulLogin, type UserRow } from "../users/repository.js";
import { activeLockUntil, clearLockouts, reserveLoginAttempt } from "./lockouts.js";
import {
  consumeRefreshToken,
  findRefreshToken,
  insertRefreshToken,
  linkReplacement,
  recordLoginAttempt,
} from "./repository.js";
import {
  createSession,
  endSession,
  endUserSessions,
  findSessionWithUser,
  sessionEndReason,
  sessionPolicy,
  touchSession,
} from "./sessions.js";
import { sha256Hex } from "./tokens.js";

/** The same answer for an unknown account and a wrong password: it must not tell them apart. */
const invalidCredentials = () => new AppError("INVALID_CREDENTIALS");

const accountLocked = (lockedUntil: Date | null) =>
  new AppError("ACCOUNT_LOCKED", "The account is locked; try again later", {
    extra: { lockedUntil: lockedUntil?.toISOString() ?? null },
  });

/**
 * Sessions and new sign-ins stop for a deactivated or administratively locked account. The automatic
 * lock from failed sign-ins only stops new sign-ins: otherwise anyone could end an agent's live
 * session by typing five wrong passwords for them.
 */
export const isAccountBlocked = (user: Pick<UserRow, "isActive" | "adminLockedAt">) =>
  !user.isActive || user.adminLockedAt !== null;

export interface IssuedTokens {
  token: string;
  refresh: string;
  expiresIn: number;
}

/** A new session with its first token pair (seed 002 create_user_session). */
async function openSession(
  services: Services,
  user: UserRow,
  ctx: RequestContext,
  lockExpired: boolean,
): Promise<{ user: UserRow; tokens: IssuedTokens }> {
  const { db, clock, tokens, config } = services;
  const now = clock.now();
  return db.transaction(async (tx) => {
    const session = await createSession(tx, { userId: user.id, ip: ctx.ip, userAgent: ctx.userAgent, now });
    const refresh = tokens.newRefreshToken();
    await insertRefreshToken(tx, {
      sessionId: session.id,
      userId: user.id,
      tokenHash: refresh.hash,
      expiresAt: addSeconds(now, config.REFRESH_TOKEN_TTL_SECONDS),
      now,
    });
    const updated = await recordSuccessfulLogin(tx, user.id, now);
    if (lockExpired) {
      // The lock had run out (a live lock never gets this far): record that it is lifted.
      await recordAudit(tx, ctx, {
        action: "user.unlocked",
        entityType: "user",
        entityId: user.id,
        details: { reason: "lock_expired" },
      });
    }
    await recordLoginAttempt(tx, {
      userId: user.id,
      identifier: user.email,
      success: true,
      reason: null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      now,
    });
    await recordAudit(
      tx,
      { ...ctx, actorId: user.id },
      { action: "auth.login", entityType: "user", entityId: user.id, details: { sessionId: session.id } },
    );
    const token = await tokens.signAccessToken({ userId: user.id, sessionId: session.id, role: user.role });
    return { user: updated, tokens: { token, refresh: refresh.token, expiresIn: tokens.accessTtlSeconds } };
  });
}

function identifierKey(identifier: string): { kind: "email" | "phone" | "unknown"; value: string } {
  const trimmed = identifier.trim();
  if (trimmed.includes("@")) return { kind: "email", value: trimmed.toLowerCase() };
  const phone = normalizePhone(trimmed);
  return phone ? { kind: "phone", value: phone.e164 } : { kind: "unknown", value: trimmed.toLowerCase() };
}

/**
 * Takes one attempt from the per-account and per-IP budgets before the password is checked. The
 * centre's own networks have no per-IP budget: hundreds of agents share its address, and an attacker
 * failing from it would otherwise lock them all out. Returns the keys to refund if the password is right.
 */
async function takeLoginBudget(
  services: Services,
  accountKey: string,
  ip: string,
  trusted: boolean,
): Promise<string[]> {
  const { limiter, config } = services;
  const window = config.RATE_LIMIT_WINDOW_SECONDS;
  const accountWait = await limiter.hit(accountKey, config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT, window);
  if (accountWait) throw rateLimited(accountWait);
  if (trusted) return [accountKey];
  const ipKey = `login:ip:${ip}`;
  const ipWait = await limiter.hit(ipKey, config.RATE_LIMIT_LOGIN_FAILURES_PER_IP, window);
  if (ipWait) {
    await limiter.refund(accountKey);
    throw rateLimited(ipWait);
  }
  return [accountKey, ipKey];
}

/**
 * Sign-in by email or phone. Every attempt is counted before its password is checked, atomically (a
 * counter in the rate limiter and a row in login_lockouts), and refunded when it succeeds, so at most
 * LOCKOUT_THRESHOLD passwords per account ever reach bcrypt however many arrive at once. Identifiers
 * no account has are counted and locked the same way, so a 423 does not reveal who works here.
 */
export async function login(
  services: Services,
  input: { identifier: string; password: string },
  ctx: RequestContext,
): Promise<{ user: UserRow; tokens: IssuedTokens }> {
  const { db, clock, config, limiter } = services;
  const id = identifierKey(input.identifier);
  const trusted = services.isTrustedNetwork(ctx.ip);
  const budget = await takeLoginBudget(services, `login:account:${id.value}`, ctx.ip, trusted);

  const user =
    id.kind === "email"
      ? await findUserByEmail(db, id.value)
      : id.kind === "phone"
        ? await findUserByPhone(db, id.value)
        : undefined;
  const subject = user ? user.id : `identifier:${id.kind}:${id.value}`;
  // Failures from outside the trusted networks lock out only sign-ins from outside them.
  const scope = trusted || config.trustedNetworks.length === 0 ? "all" : "untrusted";
  const now = clock.now();
  const threshold = config.LOCKOUT_THRESHOLD;
  const attempt = await reserveLoginAttempt(db, {
    subject,
    scope,
    userId: user?.id ?? null,
    threshold,
    lockUntil: addMinutes(now, config.LOCKOUT_MINUTES),
    now,
  });
  const lockedInside = scope === "untrusted" ? await activeLockUntil(db, subject, "all", now) : null;
  const history = (success: boolean, reason: string | null) => ({
    userId: user?.id ?? null,
    identifier: id.value,
    success,
    reason,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    now,
  });

  if (attempt.failedAttempts > threshold || lockedInside) {
    await recordLoginAttempt(db, history(false, "locked"));
    throw accountLocked(
      lockedInside && (!attempt.lockedUntil || lockedInside > attempt.lockedUntil) ? lockedInside : attempt.lockedUntil,
    );
  }

  // Unknown accounts cost a bcrypt compare too, so timing does not tell them apart.
  services.counters.passwordChecks += 1;
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? (await services.dummyHash()));
  if (!user || !passwordOk) {
    await db.transaction(async (tx) => {
      const reason = user ? "wrong_password" : "unknown_account";
      await recordLoginAttempt(tx, history(false, reason));
      await recordAudit(
        tx,
        { ...ctx, actorId: user?.id ?? null },
        {
          action: "auth.login_failed",
          entityType: "user",
          entityId: user?.id ?? null,
          details: { reason, identifierKind: id.kind },
        },
      );
      // Exactly the attempt that reached the threshold locked the account; it is audited once.
      if (user && attempt.failedAttempts === threshold) {
        const details = {
          reason: "failed_logins",
          attempts: threshold,
          lockedUntil: attempt.lockedUntil?.toISOString(),
          scope,
        };
        await recordAudit(tx, ctx, { action: "user.locked", entityType: "user", entityId: user.id, details });
        if (scope === "untrusted") {
          await recordAudit(tx, ctx, {
            action: "security.lockout_from_untrusted_network",
            entityType: "user",
            entityId: user.id,
            details: { ...details, ip: ctx.ip },
          });
        }
      }
    });
    throw invalidCredentials();
  }

  // The right password: this attempt was not a failure after all.
  await clearLockouts(db, subject);
  await limiter.clear(budget[0]!);
  for (const key of budget.slice(1)) await limiter.refund(key);
  const lockExpired = attempt.previousLockedUntil !== null && attempt.previousLockedUntil <= now;

  // Only after the right password, so these answers tell nothing to someone who does not have it.
  if (user.adminLockedAt) {
    await recordLoginAttempt(db, history(false, "locked_by_admin"));
    throw accountLocked(null);
  }
  if (!user.isActive) {
    // Deactivation already ends sessions; ending them again closes any that slipped through.
    await db.transaction(async (tx) => {
      await endUserSessions(tx, user.id, "deactivated", now);
      await recordLoginAttempt(tx, history(false, "disabled"));
    });
    throw new AppError("ACCOUNT_DISABLED");
  }
  if (config.REQUIRE_EMAIL_VERIFICATION && !user.emailVerifiedAt) {
    await recordLoginAttempt(db, history(false, "email_not_verified"));
    throw new AppError(
      "EMAIL_NOT_VERIFIED",
      "Verify your email address first: enter the code we emailed you (or ask for a new one)",
    );
  }
  return openSession(services, user, ctx, lockExpired);
}

const invalidRefresh = (message = "Refresh token is not valid") => new AppError("UNAUTHORIZED", message);

/**
 * Rotates a refresh token. Each token works once; presenting a used one means it was copied, so
 * the whole session is revoked (the thief's and the owner's tokens alike).
 */
export async function refresh(services: Services, token: string, ctx: RequestContext): Promise<IssuedTokens> {
  const { db, clock, config, limiter, tokens } = services;
  const ipKey = `refresh:ip:${ctx.ip}`;
  const failKey = `refresh-fail:ip:${ctx.ip}`;
  // Counted as a failure up front and refunded on success: parallel bad tokens cannot outrun the limit.
  const wait =
    (await limiter.hit(ipKey, config.RATE_LIMIT_REFRESH_PER_IP, config.RATE_LIMIT_WINDOW_SECONDS)) ??
    (await limiter.hit(failKey, config.RATE_LIMIT_REFRESH_FAILURES_PER_IP, config.RATE_LIMIT_WINDOW_SECONDS));
  if (wait) throw rateLimited(wait);

  const hash = sha256Hex(token);
  const now = clock.now();
  const outcome = await db.transaction(async (tx) => {
    const consumed = await consumeRefreshToken(tx, hash, now);
    if (!consumed) return { kind: "rejected" as const };
    const found = await findSessionWithUser(tx, consumed.sessionId);
    const ended = found ? sessionEndReason(found.session, now, sessionPolicy(config)) : "missing";
    if (!found || ended || isAccountBlocked(found.user)) {
      if (found && !found.session.endedAt) await endSession(tx, found.session.id, ended ?? "account_unavailable", now);
      return { kind: "session_over" as const };
    }
    const next = tokens.newRefreshToken();
    const row = await insertRefreshToken(tx, {
      sessionId: found.session.id,
      userId: found.user.id,
      tokenHash: next.hash,
      expiresAt: addSeconds(now, config.REFRESH_TOKEN_TTL_SECONDS),
      now,
    });
    await linkReplacement(tx, consumed.id, row.id);
    // A refresh is activity: a client that keeps refreshing is not idle.
    await touchSession(tx, found.session.id, now);
    const access = await tokens.signAccessToken({
      userId: found.user.id,
      sessionId: found.session.id,
      role: found.user.role,
    });
    return {
      kind: "issued" as const,
      tokens: { token: access, refresh: next.token, expiresIn: tokens.accessTtlSeconds },
    };
  });

  if (outcome.kind === "issued") {
    await limiter.refund(failKey);
    return outcome.tokens;
  }
  if (outcome.kind === "session_over") throw invalidRefresh("Session has ended; sign in again");

  const known = await findRefreshToken(db, hash);
  if (known?.usedAt) {
    await db.transaction(async (tx) => {
      await endSession(tx, known.sessionId, "refresh_reuse", now);
      await recordAudit(
        tx,
        { ...ctx, actorId: known.userId },
        {
          action: "auth.refresh_reuse_detected",
          entityType: "session",
          entityId: known.sessionId,
          details: { tokenId: known.id, firstUsedAt: known.usedAt?.toISOString() },
        },
      );
    });
    throw invalidRefresh("Refresh token was already used; the session has been revoked");
  }
  throw invalidRefresh(known && known.expiresAt <= now ? "Refresh token has expired" : undefined);
}

export async function logout(services: Services, auth: { userId: string; sessionId: string }, ctx: RequestContext) {
  const now = services.clock.now();
  await services.db.transaction(async (tx) => {
    await endSession(tx, auth.sessionId, "logout", now);
    await recordAudit(
      tx,
      { ...ctx, actorId: auth.userId },
      { action: "auth.logout", entityType: "session", entityId: auth.sessionId },
    );
  });
}

export async function logoutAll(services: Services, auth: { userId: string }, ctx: RequestContext): Promise<number> {
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    const count = await endUserSessions(tx, auth.userId, "logout_all", now);
    await recordAudit(
      tx,
      { ...ctx, actorId: auth.userId },
      {
        action: "auth.logout_all",
        entityType: "user",
        entityId: auth.userId,
        details: { sessionsEnded: count },
      },
    );
    return count;
  });
}
