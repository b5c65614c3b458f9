import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "../../lib/errors.js";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { authOf, requestContext } from "./request.js";
import type { Services } from "../../services.js";
import { toPublicUser } from "../users/service.js";
import { RefreshBody, LoginBody, LoginResponse, SessionIdParams, SessionList, TokenPair } from "./schemas.js";
import { login, logout, logoutAll, refresh } from "./service.js";
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie } from "./refresh-cookie.js";
import { activeSessionViews, endSession, sessionPolicy } from "./sessions.js";

const tags = ["auth"];
const bearer = [{ bearerAuth: [] }];

export const authRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/login",
    {
      schema: {
        tags,
        summary: "Sign in by email or phone",
        description:
          "401 INVALID_CREDENTIALS (same for unknown accounts), 423 ACCOUNT_LOCKED, 403 ACCOUNT_DISABLED, 429 RATE_LIMITED. " +
          "With refreshCookie: true the refresh token is set as an HttpOnly cookie and left out of the body.",
        body: LoginBody,
        response: {
          200: LoginResponse,
          ...errorResponses(
            "INVALID_CREDENTIALS",
            "ACCOUNT_LOCKED",
            "ACCOUNT_DISABLED",
            "EMAIL_NOT_VERIFIED",
            "RATE_LIMITED",
          ),
        },
      },
    },
    async (request, reply) => {
      const { emailOrPhone, email, phone, password, refreshCookie } = request.body;
      const identifier = emailOrPhone ?? email ?? phone;
      if (!identifier) {
        throw new AppError("VALIDATION_ERROR", "Send emailOrPhone, email or phone", {
          details: [{ path: "/emailOrPhone", message: "is required" }],
        });
      }
      const { user, tokens } = await login(services, { identifier, password }, requestContext(request));
      const { refresh: refreshToken, ...rest } = tokens;
      const answer = {
        message: "Login successful" as const,
        ...rest,
        username: user.name,
        email: user.email,
        user: toPublicUser(user),
      };
      if (!refreshCookie) return { ...answer, refresh: refreshToken };
      setRefreshCookie(reply, refreshToken, services.config.REFRESH_TOKEN_TTL_SECONDS, services.config.isProduction);
      return answer;
    },
  );

  app.post(
    "/refresh",
    {
      schema: {
        tags,
        summary: "Exchange a refresh token for a new pair (single use)",
        description:
          "The token comes from the body, or else from the HttpOnly cookie set by a login with refreshCookie: true; " +
          "a cookie refresh answers with the new token in the cookie (a failed one clears it).",
        body: RefreshBody,
        response: { 200: TokenPair, ...errorResponses("UNAUTHORIZED", "RATE_LIMITED") },
      },
    },
    async (request, reply) => {
      if (request.body.refresh) return refresh(services, request.body.refresh, requestContext(request));
      const fromCookie = refreshCookieOf(request);
      if (!fromCookie) {
        throw new AppError("VALIDATION_ERROR", "Send refresh in the body, or sign in again", {
          details: [{ path: "/refresh", message: "is required" }],
        });
      }
      const secure = services.config.isProduction;
      try {
        const { refresh: next, ...rest } = await refresh(services, fromCookie, requestContext(request));
        setRefreshCookie(reply, next, services.config.REFRESH_TOKEN_TTL_SECONDS, secure);
        return rest;
      } catch (err) {
        // A token the server no longer honours is dropped, so the browser stops presenting it; a
        // rate-limit answer keeps it (it is still good later).
        if (err instanceof AppError && err.statusCode === 401) clearRefreshCookie(reply, secure);
        throw err;
      }
    },
  );

  app.post(
    "/logout",
    {
      onRequest: [app.authenticate],
      schema: { tags, security: bearer, summary: "End this session", response: { 200: MessageResponse } },
    },
    async (request, reply) => {
      await logout(services, authOf(request), requestContext(request));
      clearRefreshCookie(reply, services.config.isProduction);
      return { message: "Logged out" };
    },
  );

  app.post(
    "/logout-all",
    {
      onRequest: [app.authenticate],
      schema: { tags, security: bearer, summary: "End every session of this user", response: { 200: MessageResponse } },
    },
    async (request, reply) => {
      const count = await logoutAll(services, authOf(request), requestContext(request));
      clearRefreshCookie(reply, services.config.isProduction);
      return { message: `Logged out of ${count} session(s)` };
    },
  );

  app.get(
    "/sessions",
    {
      onRequest: [app.authenticate],
      schema: { tags, security: bearer, summary: "This user's active sessions", response: { 200: SessionList } },
    },
    async (request) => {
      const auth = authOf(request);
      return {
        data: await activeSessionViews(
          services.db,
          auth.userId,
          services.clock.now(),
          sessionPolicy(services.config),
          auth.sessionId,
        ),
      };
    },
  );

  app.delete(
    "/sessions/:id",
    {
      onRequest: [app.authenticate],
      schema: {
        tags,
        security: bearer,
        summary: "End one of this user's sessions",
        params: SessionIdParams,
        response: { 200: MessageResponse, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => {
      const auth = authOf(request);
      if (!(await endSession(services.db, request.params.id, "revoked_by_user", services.clock.now(), auth.userId)))
        throw new AppError("NOT_FOUND", "Session not found");
      return { message: "Session ended" };
    },
  );
};
