import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses } from "../../lib/http-schemas.js";
import { requestContext } from "./request.js";
import type { Services } from "../../services.js";
import { LegacyLoginBody, LegacyLoginResponse } from "./schemas.js";
import { login } from "./service.js";

const tags = ["auth (seed 004 compatibility)"];

/** The original auth API of seed 004, with its exact payloads and responses, on the same services. */
export const legacyAuthRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
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
};
