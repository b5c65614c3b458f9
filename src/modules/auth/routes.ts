import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "../../lib/errors.js";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { authOf, requestContext } from "../../plugins/auth.js";
import type { Services } from "../../services.js";
import { toPublicUser } from "../users/service.js";
import { register } from "./registration.js";
import { RefreshBody, RegisterBody, RegisterResponse, LoginBody, LoginResponse, SessionIdParams, SessionList, TokenPair } from "./schemas.js";
import { login, logout, logoutAll, refresh } from "./service.js";
import { activeSessionViews, endSession, listOpenSessions, sessionPolicy } from "./sessions.js";

const tags = ["auth"];
const bearer = [{ bearerAuth: [] }];

export const authRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/api/auth/register",
    { schema: { tags, summary: "Create an agent account", body: RegisterBody, response: { 201: RegisterResponse } } },
    async (request, reply) => {
      const { user, verificationEmailSent } = await register(services, request.body, requestContext(request));
      const { id, email, phone, name, role, emailVerified } = toPublicUser(user);
      return reply.status(201).send({ message: "User registered successfully", user: { id, email, phone, name, role, emailVerified }, verificationEmailSent });
    },
  );

  app.post(
    "/api/auth/login",
    {
      schema: {
        tags,
        summary: "Sign in by email or phone",
        description: "401 INVALID_CREDENTIALS (same for unknown accounts), 423 ACCOUNT_LOCKED, 403 ACCOUNT_DISABLED, 429 RATE_LIMITED.",
        body: LoginBody,
        response: {
          200: LoginResponse,
          ...errorResponses("INVALID_CREDENTIALS", "ACCOUNT_LOCKED", "ACCOUNT_DISABLED", "EMAIL_NOT_VERIFIED", "RATE_LIMITED"),
        },
      },
    },
    async (request) => {
      const { emailOrPhone, email, phone, password } = request.body;
      const identifier = emailOrPhone ?? email ?? phone;
      if (!identifier) {
        throw new AppError("VALIDATION_ERROR", "Send emailOrPhone, email or phone", {
          details: [{ path: "/emailOrPhone", message: "is required" }],
        });
      }
      const { user, tokens } = await login(services, { identifier, password }, requestContext(request));
      return { message: "Login successful" as const, ...tokens, username: user.name, email: user.email, user: toPublicUser(user) };
    },
  );

  app.post(
    "/api/auth/refresh",
    { schema: { tags, summary: "Exchange a refresh token for a new pair (single use)", body: RefreshBody, response: { 200: TokenPair } } },
    async (request) => refresh(services, request.body.refresh, requestContext(request)),
  );

  app.post(
    "/api/auth/logout",
    { onRequest: [app.authenticate], schema: { tags, security: bearer, summary: "End this session", response: { 200: MessageResponse } } },
    async (request) => {
      await logout(services, authOf(request), requestContext(request));
      return { message: "Logged out" };
    },
  );

  app.post(
    "/api/auth/logout-all",
    { onRequest: [app.authenticate], schema: { tags, security: bearer, summary: "End every session of this user", response: { 200: MessageResponse } } },
    async (request) => {
      const count = await logoutAll(services, authOf(request), requestContext(request));
      return { message: `Logged out of ${count} session(s)` };
    },
  );

  app.get(
    "/api/auth/sessions",
    { onRequest: [app.authenticate], schema: { tags, security: bearer, summary: "This user's active sessions", response: { 200: SessionList } } },
    async (request) => {
      const auth = authOf(request);
      return { data: await activeSessionViews(services.db, auth.userId, services.clock.now(), sessionPolicy(services.config), auth.sessionId) };
    },
  );

  app.delete(
    "/api/auth/sessions/:id",
    {
      onRequest: [app.authenticate],
      schema: { tags, security: bearer, summary: "End one of this user's sessions", params: SessionIdParams, response: { 200: MessageResponse } },
    },
    async (request) => {
      const auth = authOf(request);
      const mine = (await listOpenSessions(services.db, auth.userId)).some((s) => s.id === request.params.id);
      if (!mine) throw new AppError("NOT_FOUND", "Session not found");
      await endSession(services.db, request.params.id, "revoked_by_user", services.clock.now());
      return { message: "Session ended" };
    },
  );
};
