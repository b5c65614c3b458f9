import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { authOf, requestContext } from "./request.js";
import type { Services } from "../../services.js";
import { updateProfile } from "../users/service.js";
import { REGISTRATION_RECEIVED, register } from "./registration.js";
import {
  LegacyLoginBody,
  LegacyLoginResponse,
  LegacyRegisterBody,
  LegacyUpdateProfileBody,
  RegistrationReceived,
} from "./schemas.js";
import { login } from "./service.js";

const tags = ["auth (seed 004 compatibility)"];

/** The original auth API of seed 004, with its exact payloads and responses, on the same services. */
export const legacyAuthRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/register",
    {
      schema: {
        tags,
        summary:
          "Register (seed 004); 202 `Registration received` under REGISTRATION=approval|closed, for new and existing addresses alike",
        body: LegacyRegisterBody,
        response: {
          201: MessageResponse,
          202: RegistrationReceived,
          ...errorResponses("INVALID_PHONE", "CONFLICT", "RATE_LIMITED"),
        },
      },
    },
    async (request, reply) => {
      const { email, password, username } = request.body;
      const outcome = await register(services, { email, password, name: username }, requestContext(request));
      if (outcome.kind === "received") return reply.status(202).send({ message: REGISTRATION_RECEIVED });
      return reply.status(201).send({ message: "User registered successfully" });
    },
  );

  app.post(
    "/login",
    {
      schema: {
        tags,
        summary: "Login (seed 004)",
        body: LegacyLoginBody,
        response: {
          200: LegacyLoginResponse,
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
    async (request) => {
      const { user, tokens } = await login(
        services,
        { identifier: request.body.email, password: request.body.password },
        requestContext(request),
      );
      return {
        message: "Login successful" as const,
        token: tokens.token,
        refresh: tokens.refresh,
        username: user.name,
        email: user.email,
      };
    },
  );

  app.put(
    "/update-profile",
    {
      onRequest: [app.authenticate],
      schema: {
        tags,
        security: [{ bearerAuth: [] }],
        summary: "Update the name (seed 004); email or phone too, with currentPassword (403 REAUTH_REQUIRED otherwise)",
        body: LegacyUpdateProfileBody,
        response: {
          200: MessageResponse,
          ...errorResponses("REAUTH_REQUIRED", "INVALID_PHONE", "CONFLICT", "RATE_LIMITED"),
        },
      },
    },
    async (request) => {
      await updateProfile(services, authOf(request).userId, request.body, requestContext(request));
      return { message: "Profile updated successfully" };
    },
  );
};
