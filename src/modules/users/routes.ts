import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { authOf, requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { ChangePasswordBody, ProfileUpdateBody, ProfileUpdateResponse, PublicUser } from "./schemas.js";
import { changePassword, toPublicUser, updateProfile } from "./service.js";

const tags = ["auth"];
const security = [{ bearerAuth: [] }];

export const userRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    "/api/auth/me",
    {
      onRequest: [app.authenticate],
      schema: { tags, security, summary: "The signed-in user", response: { 200: PublicUser } },
    },
    async (request) => toPublicUser(authOf(request).user),
  );

  app.put(
    "/api/auth/profile",
    {
      onRequest: [app.authenticate],
      schema: {
        tags,
        security,
        summary: "Update name, email or phone (email/phone need currentPassword; a new email applies once verified)",
        body: ProfileUpdateBody,
        response: {
          200: ProfileUpdateResponse,
          ...errorResponses("REAUTH_REQUIRED", "INVALID_PHONE", "CONFLICT", "RATE_LIMITED"),
        },
      },
    },
    async (request) => {
      const { user, emailChangeRequested } = await updateProfile(
        services,
        authOf(request).userId,
        request.body,
        requestContext(request),
      );
      return {
        message: "Profile updated successfully" as const,
        user: toPublicUser(user),
        ...(emailChangeRequested ? { verificationEmailSent: true } : {}),
      };
    },
  );

  app.post(
    "/api/auth/change-password",
    {
      onRequest: [app.authenticate],
      schema: {
        tags,
        security,
        summary: "Change the password; ends the user's other sessions",
        body: ChangePasswordBody,
        response: { 200: MessageResponse, ...errorResponses("RATE_LIMITED") },
      },
    },
    async (request) => {
      await changePassword(services, authOf(request), request.body, requestContext(request));
      return { message: "Password changed successfully" };
    },
  );
};
