import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { clientIp, requestContext } from "../../plugins/auth.js";
import type { Services } from "../../services.js";
import { OtpCode } from "../otp/schemas.js";
import { throttleOtpCalls } from "../otp/service.js";
import { Email } from "../users/schemas.js";
import { resendVerification, verifyEmail } from "./service.js";

const tags = ["auth"];
// One answer per outcome for every address (issue 11): nothing tells which addresses await a code.
const errors =
  "INVALID_OTP 400 for every failure (wrong, expired or blocked code, unknown or verified address); RATE_LIMITED 429 per IP.";

export const emailVerificationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/api/auth/verify-email",
    {
      schema: {
        tags,
        summary: "Prove the email address with the code sent at registration (or after an email change)",
        description: errors,
        body: Type.Object({ email: Email, otp: OtpCode }, { additionalProperties: false }),
        response: { 200: Type.Object({ message: Type.Literal("Email verified") }) },
      },
    },
    async (request) => {
      await throttleOtpCalls(services, clientIp(request));
      await verifyEmail(services, request.body, requestContext(request));
      return { message: "Email verified" as const };
    },
  );

  app.post(
    "/api/auth/resend-verification",
    {
      schema: {
        tags,
        summary:
          "Send a new verification code (the same answer for every address; cooldown and cap hold the mail back silently)",
        description: errors,
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: {
          200: Type.Object({ message: Type.Literal("If the address needs verifying, a new code has been sent") }),
        },
      },
    },
    async (request) => {
      await throttleOtpCalls(services, clientIp(request));
      await resendVerification(services, request.body.email, requestContext(request));
      return { message: "If the address needs verifying, a new code has been sent" as const };
    },
  );
};
