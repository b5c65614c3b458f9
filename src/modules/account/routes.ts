import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { authOf, requestContext } from "../auth/request.js";
import { ChangePasswordBody, ProfileUpdateBody, ProfileUpdateResponse, PublicUser } from "../users/schemas.js";
import { toPublicUser } from "../users/service.js";
import type { Services } from "../../services.js";
import { changePassword, updateProfile } from "./service.js";

const tags = ["auth"];
const security = [{ bearerAuth: [] }];

/** The signed-in user's own account: who they are, their profile, their password. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    "/me",
    {
      onRequest: [app.authenticate],
      schema: { tags, security, summary: "The signed-in user", response: { 200: PublicUser } },
    },
    async (request) => toPublicUser(authOf(request).user),
  );

  app.put(
    "/profile",
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
    "/change-password",
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
