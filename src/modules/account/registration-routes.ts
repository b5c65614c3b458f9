import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import type { Services } from "../../services.js";
import { authOf, requestContext } from "../auth/request.js";
import {
  LegacyRegisterBody,
  LegacyUpdateProfileBody,
  RegisterBody,
  RegistrationReceived,
  RegisterResponse,
} from "../auth/schemas.js";
import { toPublicUser } from "../users/service.js";
import { REGISTRATION_RECEIVED, register } from "./registration.js";
import { updateProfile } from "./service.js";

/** Self-registration under /api/auth. */
export const registrationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ["auth"];
  app.post(
    "/register",
    {
      schema: {
        tags,
        summary: "Create an agent account",
        description:
          "REGISTRATION=open: 201 with the user. approval and closed: 202 `Registration received` for every registration, new or not " +
          "(under approval a new account waits for an admin; under closed nothing is created; an existing owner of the email or phone is notified).",
        body: RegisterBody,
        response: {
          201: RegisterResponse,
          202: RegistrationReceived,
          ...errorResponses("INVALID_PHONE", "CONFLICT", "RATE_LIMITED"),
        },
      },
    },
    async (request, reply) => {
      const outcome = await register(services, request.body, requestContext(request));
      if (outcome.kind === "received") return reply.status(202).send({ message: REGISTRATION_RECEIVED });
      const { id, email, phone, name, role, emailVerified } = toPublicUser(outcome.user);
      return reply.status(201).send({
        message: "User registered successfully",
        user: { id, email, phone, name, role, emailVerified },
        verificationEmailSent: true,
      });
    },
  );
};

/** Seed 004's registration and profile update, with its exact payloads and responses. */
export const legacyAccountRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ["auth (seed 004 compatibility)"];
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
