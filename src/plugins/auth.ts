import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ApiKeyScope, UserRole } from "../db/schema/index.js";
import type { ApiKeyRow } from "../modules/api-keys/repository.js";
import { API_KEY_PREFIX, verifyApiKey } from "../modules/api-keys/service.js";
import { AppError } from "../lib/errors.js";
import { throwing } from "../lib/http-schemas.js";
import { normalizeIp } from "../lib/networks.js";
import { isAccountBlocked } from "../modules/auth/service.js";
import {
  endSession,
  findSessionForRequest,
  SESSION_TOUCH_INTERVAL_MS,
  sessionEndReason,
  sessionPolicy,
  touchSession,
} from "../modules/auth/sessions.js";
import type { UserRow } from "../modules/users/repository.js";
import type { RequestContext, Services } from "../services.js";

export interface AuthInfo {
  userId: string;
  sessionId: string;
  /** From the database, not the token: a role change applies to the very next request. */
  role: UserRole;
  user: UserRow;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthInfo | null;
    /** Set instead of `auth` when a dialer or bot calls with an integration key. */
    apiKey: ApiKeyRow | null;
  }
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
    requireRole(minimum: UserRole): (request: FastifyRequest) => Promise<void>;
    /** A signed-in user, or an integration key holding `scope`. */
    authenticateCaller(scope: ApiKeyScope): (request: FastifyRequest) => Promise<void>;
  }
}

/** What a user holding a one-time initial password may do before replacing it. */
const PASSWORD_CHANGE_ROUTES = new Set([
  "/api/auth/change-password",
  "/api/auth/me",
  "/api/auth/logout",
  "/api/auth/logout-all",
]);

/**
 * What a self-registered account waiting for approval (REGISTRATION=approval) may do: its own
 * profile and session. Verifying the email needs no sign-in.
 */
const PENDING_APPROVAL_ROUTES = new Set([
  "/api/auth/me",
  "/api/auth/profile",
  "/update-profile",
  "/api/auth/change-password",
  "/api/auth/logout",
  "/api/auth/logout-all",
  "/api/auth/sessions",
  "/api/auth/sessions/:id",
]);

const ROLE_RANK: Record<UserRole, number> = { agent: 1, supervisor: 2, admin: 3 };

export const hasRole = (role: UserRole, minimum: UserRole) => ROLE_RANK[role] >= ROLE_RANK[minimum];

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** The signed-in caller; only valid behind `app.authenticate`. */
export function authOf(request: FastifyRequest): AuthInfo {
  if (!request.auth) throw new AppError("UNAUTHORIZED");
  return request.auth;
}

/**
 * The client's address: Fastify's (which follows X-Forwarded-For only as far as TRUST_PROXY allows)
 * when it parses as an address, the socket's otherwise, so a forged header never lands in a counter
 * key or the sign-in history as free text.
 */
export function clientIp(request: FastifyRequest): string {
  return normalizeIp(request.ip) ?? normalizeIp(request.socket?.remoteAddress) ?? "0.0.0.0";
}

export function requestContext(request: FastifyRequest): RequestContext {
  return {
    ip: clientIp(request),
    userAgent: request.headers["user-agent"] ?? null,
    requestId: request.id,
    actorId: request.auth?.userId ?? request.apiKey?.id ?? null,
    actorType: request.apiKey ? "api_key" : request.auth ? "user" : "system",
  };
}

/**
 * Every authenticated request checks its session in the database, so logout, lock, deactivation
 * and password change take effect at once rather than when the access token expires.
 */
export function registerAuth(app: FastifyInstance, services: Services) {
  app.decorateRequest("auth", null);

  app.decorate(
    "authenticate",
    throwing(
      async (request: FastifyRequest) => {
        const token = bearerToken(request);
        if (!token) throw new AppError("UNAUTHORIZED", "Send an access token as `Authorization: Bearer <token>`");
        const claims = await services.tokens.verifyAccessToken(token);
        const found = await findSessionForRequest(services.db, claims.sid, services.config.DB_PREPARED_STATEMENTS);
        if (!found || found.user.id !== claims.sub) throw new AppError("UNAUTHORIZED", "Session not found");
        const now = services.clock.now();
        const ended = sessionEndReason(found.session, now, sessionPolicy(services.config));
        if (ended) {
          if (!found.session.endedAt) await endSession(services.db, found.session.id, ended, now);
          throw new AppError("UNAUTHORIZED", "Session has ended; sign in again");
        }
        if (isAccountBlocked(found.user)) {
          throw new AppError("UNAUTHORIZED", "The account is not available; sign in again");
        }
        if (found.user.mustChangePassword && !PASSWORD_CHANGE_ROUTES.has(request.routeOptions.url ?? "")) {
          throw new AppError(
            "PASSWORD_CHANGE_REQUIRED",
            "Change the initial password first (POST /api/auth/change-password)",
          );
        }
        if (found.user.approvedAt === null && !PENDING_APPROVAL_ROUTES.has(request.routeOptions.url ?? "")) {
          throw new AppError("ACCOUNT_PENDING_APPROVAL", "The account is waiting for an administrator's approval");
        }
        if (now.getTime() - found.session.lastActivityAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
          await touchSession(services.db, found.session.id, now);
        }
        request.auth = { userId: found.user.id, sessionId: found.session.id, role: found.user.role, user: found.user };
      },
      "UNAUTHORIZED",
      "PASSWORD_CHANGE_REQUIRED",
    ),
  );

  app.decorateRequest("apiKey", null);
  app.decorate("authenticateCaller", (scope: ApiKeyScope) =>
    throwing(
      async (request: FastifyRequest) => {
        const header = request.headers["x-api-key"];
        const bearer = bearerToken(request);
        const key =
          (Array.isArray(header) ? header[0] : header) ?? (bearer?.startsWith(API_KEY_PREFIX) ? bearer : undefined);
        if (!key) return app.authenticate(request);
        const row = await verifyApiKey(services, key);
        if (!row) throw new AppError("UNAUTHORIZED", "The API key is not valid or was revoked");
        if (!row.scopes.includes(scope)) throw new AppError("FORBIDDEN", `This API key lacks the ${scope} scope`);
        request.apiKey = row;
      },
      "UNAUTHORIZED",
      "FORBIDDEN",
      "PASSWORD_CHANGE_REQUIRED",
    ),
  );

  app.decorate("requireRole", (minimum: UserRole) =>
    throwing(async (request: FastifyRequest) => {
      const auth = authOf(request);
      if (!hasRole(auth.role, minimum)) throw new AppError("FORBIDDEN", `This requires the ${minimum} role or higher`);
    }, "FORBIDDEN"),
  );
}
