import type { DbOrTx } from "../../db/client.js";
import { addMinutes, addSeconds } from "../../lib/clock.js";
import { AppError, rateLimited } from "../../lib/errors.js";
import { normalizePhone } from "../../lib/phone.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { verifyPassword } from "../users/password.js";
import {
  findUserByEmail,
  findUserByPhone,
  recordFailedLogin,
  recordSuccessfulLogin,
  type UserRow,
} from "../users/repository.js";
import { consumeRefreshToken, findRefreshToken, insertRefreshToken, linkReplacement, recordLoginAttempt } from "./repository.js";
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


export const isLockedNow = (user: Pick<UserRow, "isLocked" | "lockedUntil">, now: Date) =>
  user.isLocked && (user.lockedUntil === null || user.lockedUntil > now);

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
    if (user.isLocked) {
      // The lock had run out (a live lock never gets this far): record that it is lifted.
      await recordAudit(tx, ctx, { action: "user.unlocked", entityType: "user", entityId: user.id, details: { reason: "lock_expired" } });
    }
    await recordLoginAttempt(tx, { userId: user.id, identifier: user.email, success: true, reason: null, ip: ctx.ip, userAgent: ctx.userAgent, now });
    await recordAudit(tx, { ...ctx, actorId: user.id }, { action: "auth.login", entityType: "user", entityId: user.id, details: { sessionId: session.id } });
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
 * Sign-in by email or phone. Failures, not logins, are throttled: hundreds of agents share a
 * call centre's public IP, so successes from one IP are never limited.
 */
export async function login(
  services: Services,
  input: { identifier: string; password: string },
  ctx: RequestContext,
): Promise<{ user: UserRow; tokens: IssuedTokens }> {
  const { db, clock, config, limiter } = services;
  const id = identifierKey(input.identifier);
  const accountKey = `login-fail:account:${id.value}`;
  const ipKey = `login-fail:ip:${ctx.ip}`;
  const wait =
    (await limiter.blocked(accountKey, config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT)) ??
    (await limiter.blocked(ipKey, config.RATE_LIMIT_LOGIN_FAILURES_PER_IP));
  if (wait) throw rateLimited(wait);

  const writeFailure = async (tx: DbOrTx, user: UserRow | undefined, reason: string) => {
    await recordLoginAttempt(tx, { userId: user?.id ?? null, identifier: id.value, success: false, reason, ip: ctx.ip, userAgent: ctx.userAgent, now: clock.now() });
    await recordAudit(tx, { ...ctx, actorId: user?.id ?? null }, {
      action: "auth.login_failed",
      entityType: "user",
      entityId: user?.id ?? null,
      details: { reason, identifierKind: id.kind },
    });
  };
  const countFailure = async () => {
    await limiter.record(accountKey, config.RATE_LIMIT_WINDOW_SECONDS);
    await limiter.record(ipKey, config.RATE_LIMIT_WINDOW_SECONDS);
  };

  const user =
    id.kind === "email" ? await findUserByEmail(db, id.value) : id.kind === "phone" ? await findUserByPhone(db, id.value) : undefined;
  if (!user) {
    await verifyPassword(input.password, await services.dummyHash());
    await db.transaction((tx) => writeFailure(tx, undefined, "unknown_account"));
    await countFailure();
    throw invalidCredentials();
  }

  const now = clock.now();
  if (isLockedNow(user, now)) {
    await recordLoginAttempt(db, { userId: user.id, identifier: id.value, success: false, reason: "locked", ip: ctx.ip, userAgent: ctx.userAgent, now });
    throw new AppError("ACCOUNT_LOCKED", undefined, {
      extra: { lockedUntil: user.lockedUntil?.toISOString() ?? null },
    });
  }

  if (!(await verifyPassword(input.password, user.passwordHash))) {
    const lockUntil = addMinutes(now, config.LOCKOUT_MINUTES);
    await db.transaction(async (tx) => {
      const after = await recordFailedLogin(tx, user.id, now, config.LOCKOUT_THRESHOLD, lockUntil);
      await writeFailure(tx, user, "wrong_password");
      // Exactly the failure that reaches the threshold locks the account; it is audited once.
      if (after?.isLocked && after.failedLoginAttempts === config.LOCKOUT_THRESHOLD) {
        await recordAudit(tx, ctx, {
          action: "user.locked",
          entityType: "user",
          entityId: user.id,
          details: { reason: "failed_logins", attempts: after.failedLoginAttempts, lockedUntil: after.lockedUntil?.toISOString() },
        });
      }
    });
    await countFailure();
    throw invalidCredentials();
  }

  if (!user.isActive) {
    // Deactivation already ends sessions; ending them again closes any that slipped through.
    await db.transaction(async (tx) => {
      await endUserSessions(tx, user.id, "deactivated", now);
      await recordLoginAttempt(tx, { userId: user.id, identifier: id.value, success: false, reason: "disabled", ip: ctx.ip, userAgent: ctx.userAgent, now });
    });
    throw new AppError("ACCOUNT_DISABLED");
  }

  if (config.REQUIRE_EMAIL_VERIFICATION && !user.emailVerifiedAt) {
    // Only after the right password: it tells nothing to someone who does not have it.
    await recordLoginAttempt(db, { userId: user.id, identifier: id.value, success: false, reason: "email_not_verified", ip: ctx.ip, userAgent: ctx.userAgent, now });
    throw new AppError("EMAIL_NOT_VERIFIED", "Verify your email address first: enter the code we emailed you (or ask for a new one)");
  }

  const session = await openSession(services, user, ctx);
  await limiter.clear(accountKey);
  return session;
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
  const wait =
    (await limiter.hit(ipKey, config.RATE_LIMIT_REFRESH_PER_IP, config.RATE_LIMIT_WINDOW_SECONDS)) ??
    (await limiter.blocked(failKey, config.RATE_LIMIT_REFRESH_FAILURES_PER_IP));
  if (wait) throw rateLimited(wait);

  const hash = sha256Hex(token);
  const now = clock.now();
  const outcome = await db.transaction(async (tx) => {
    const consumed = await consumeRefreshToken(tx, hash, now);
    if (!consumed) return { kind: "rejected" as const };
    const found = await findSessionWithUser(tx, consumed.sessionId);
    const ended = found ? sessionEndReason(found.session, now, sessionPolicy(config)) : "missing";
    if (!found || ended || !found.user.isActive || isLockedNow(found.user, now)) {
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
    const access = await tokens.signAccessToken({ userId: found.user.id, sessionId: found.session.id, role: found.user.role });
    return { kind: "issued" as const, tokens: { token: access, refresh: next.token, expiresIn: tokens.accessTtlSeconds } };
  });

  if (outcome.kind === "issued") return outcome.tokens;
  await limiter.record(failKey, config.RATE_LIMIT_WINDOW_SECONDS);
  if (outcome.kind === "session_over") throw invalidRefresh("Session has ended; sign in again");

  const known = await findRefreshToken(db, hash);
  if (known?.usedAt) {
    await db.transaction(async (tx) => {
      await endSession(tx, known.sessionId, "refresh_reuse", now);
      await recordAudit(tx, { ...ctx, actorId: known.userId }, {
        action: "auth.refresh_reuse_detected",
        entityType: "session",
        entityId: known.sessionId,
        details: { tokenId: known.id, firstUsedAt: known.usedAt?.toISOString() },
      });
    });
    throw invalidRefresh("Refresh token was already used; the session has been revoked");
  }
  throw invalidRefresh(known && known.expiresAt <= now ? "Refresh token has expired" : undefined);
}

export async function logout(services: Services, auth: { userId: string; sessionId: string }, ctx: RequestContext) {
  const now = services.clock.now();
  await services.db.transaction(async (tx) => {
    await endSession(tx, auth.sessionId, "logout", now);
    await recordAudit(tx, { ...ctx, actorId: auth.userId }, { action: "auth.logout", entityType: "session", entityId: auth.sessionId });
  });
}

export async function logoutAll(services: Services, auth: { userId: string }, ctx: RequestContext): Promise<number> {
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    const count = await endUserSessions(tx, auth.userId, "logout_all", now);
    await recordAudit(tx, { ...ctx, actorId: auth.userId }, {
      action: "auth.logout_all",
      entityType: "user",
      entityId: auth.userId,
      details: { sessionsEnded: count },
    });
    return count;
  });
}
