import type { FastifyInstance, FastifyRequest } from "fastify";
import type { apiKeys, ApiKeyScope, UserRole } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import { throwing } from "../../lib/http-schemas.js";
import type { Services } from "../../services.js";
import { authOf, bearerToken, hasRole } from "./request.js";
import { isAccountBlocked } from "./service.js";
import {
  endSession,
  findSessionForRequest,
  SESSION_TOUCH_INTERVAL_MS,
  sessionEndReason,
  sessionPolicy,
  touchSession,
} from "./sessions.js";

declare module "fastify" {
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
    requireRole(minimum: UserRole): (request: FastifyRequest) => Promise<void>;
    /** A signed-in user, or an integration key holding `scope`. */
    authenticateCaller(scope: ApiKeyScope): (request: FastifyRequest) => Promise<void>;
  }
}

/**
 * How integration keys are recognised and checked. Given by the caller (plugins/auth.ts) because the
 * api-keys module's routes sit on this guard: auth importing api-keys would close a cycle.
 */
export interface ApiKeyVerifier {
  prefix: string;
  verify(services: Services, key: string): Promise<typeof apiKeys.$inferSelect | undefined>;
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

/**
 * Every authenticated request checks its session in the database, so logout, lock, deactivation
 * and password change take effect at once rather than when the access token expires.
 */
export function registerAuthGuard(app: FastifyInstance, services: Services, apiKeys: ApiKeyVerifier) {
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
      "ACCOUNT_PENDING_APPROVAL",
    ),
  );

  app.decorateRequest("apiKey", null);
  app.decorate("authenticateCaller", (scope: ApiKeyScope) =>
    throwing(
      async (request: FastifyRequest) => {
        const header = request.headers["x-api-key"];
        const bearer = bearerToken(request);
        const key =
          (Array.isArray(header) ? header[0] : header) ?? (bearer?.startsWith(apiKeys.prefix) ? bearer : undefined);
        if (!key) return app.authenticate(request);
        const row = await apiKeys.verify(services, key);
        if (!row) throw new AppError("UNAUTHORIZED", "The API key is not valid or was revoked");
        if (!row.scopes.includes(scope)) throw new AppError("FORBIDDEN", `This API key lacks the ${scope} scope`);
        request.apiKey = row;
      },
      "UNAUTHORIZED",
      "FORBIDDEN",
      "PASSWORD_CHANGE_REQUIRED",
      "ACCOUNT_PENDING_APPROVAL",
    ),
  );

  app.decorate("requireRole", (minimum: UserRole) =>
    throwing(async (request: FastifyRequest) => {
      const auth = authOf(request);
      if (!hasRole(auth.role, minimum)) throw new AppError("FORBIDDEN", `This requires the ${minimum} role or higher`);
    }, "FORBIDDEN"),
  );
}
