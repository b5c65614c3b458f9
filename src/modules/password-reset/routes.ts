import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import {
  GenericOtpResponse,
  LegacyResetPasswordBody,
  LegacyResetPasswordResponse,
  LegacyUpdatePasswordBody,
  PasswordUpdatedResponse,
  RequestOtpBody,
  ResendOtpBody,
  SetNewPasswordBody,
  VerifyOtpBody,
  VerifyOtpResponse,
} from "./schemas.js";
import {
  assertResetPasswordAcceptable,
  GENERIC_REQUEST_MESSAGE,
  requestPasswordReset,
  resendPasswordResetCode,
  setNewPassword,
  verifyPasswordResetCode,
} from "./service.js";
import { errorResponses } from "../../lib/http-schemas.js";

const tags = ["password reset"];
const errors = "Errors: INVALID_OTP 400 (with attemptsLeft), OTP_EXPIRED 410, OTP_BLOCKED 423, RATE_LIMITED 429.";
// Request and resend answer the same for every input; mail goes through the outbox (issue 11).
const sendNotes =
  "The same answer, in the same time, for every input: the email is queued, never awaited; delivery failures are for operators (GET /api/admin/email-outbox). RATE_LIMITED 429 per IP.";

export const passwordResetRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/api/request-otp",
    {
      schema: {
        tags,
        summary: "Send a 6-digit reset code by email (same answer whether or not the account exists)",
        description: `${sendNotes} Only a verified address of the account whose phone matches is mailed.`,
        body: RequestOtpBody,
        response: { 200: GenericOtpResponse, ...errorResponses("INVALID_PHONE", "RATE_LIMITED") },
      },
    },
    async (request) => ({
      message: GENERIC_REQUEST_MESSAGE,
      ...(await requestPasswordReset(services, request.body, requestContext(request))),
    }),
  );

  app.post(
    "/api/resend-otp",
    {
      schema: {
        tags,
        summary: "Send a new code (the previous one stops working)",
        description: `${sendNotes} The cooldown, the cap of resends and a blocked code hold the mail back without saying so.`,
        body: ResendOtpBody,
        response: { 200: GenericOtpResponse, ...errorResponses("RATE_LIMITED") },
      },
    },
    async (request) => ({
      message: GENERIC_REQUEST_MESSAGE,
      ...(await resendPasswordResetCode(services, request.body, requestContext(request))),
    }),
  );

  app.post(
    "/api/verify-otp",
    {
      schema: {
        tags,
        summary: "Check the code; returns a single-use reset token",
        description: errors,
        body: VerifyOtpBody,
        response: {
          200: VerifyOtpResponse,
          ...errorResponses("INVALID_OTP", "OTP_EXPIRED", "OTP_BLOCKED", "RATE_LIMITED"),
        },
      },
    },
    async (request) => ({
      message: "OTP verified" as const,
      ...(await verifyPasswordResetCode(services, request.body, requestContext(request))),
    }),
  );

  app.post(
    "/api/set-new-password",
    {
      schema: {
        tags,
        summary: "Set the new password with the reset token; ends every session",
        description: "INVALID_RESET_TOKEN 400 when the token is wrong, used or expired.",
        body: SetNewPasswordBody,
        response: { 200: PasswordUpdatedResponse, ...errorResponses("INVALID_RESET_TOKEN") },
      },
    },
    async (request) => {
      await setNewPassword(services, request.body, requestContext(request));
      return { message: "Password updated successfully" as const };
    },
  );

  app.post(
    "/reset-password",
    {
      schema: {
        tags: ["password reset (seed 004 compatibility)"],
        summary: "Send a reset code (seed 004); the same answer for unknown emails",
        body: LegacyResetPasswordBody,
        response: { 200: LegacyResetPasswordResponse, ...errorResponses("RATE_LIMITED") },
      },
    },
    async (request) => ({
      message: "OTP sent successfully" as const,
      ...(await requestPasswordReset(services, { email: request.body.email }, requestContext(request))),
    }),
  );

  app.post(
    "/update-password",
    {
      schema: {
        tags: ["password reset (seed 004 compatibility)"],
        summary: "Verify the code and set the password in one step (seed 004)",
        description: errors,
        body: LegacyUpdatePasswordBody,
        response: {
          200: PasswordUpdatedResponse,
          ...errorResponses("INVALID_OTP", "OTP_EXPIRED", "OTP_BLOCKED", "INVALID_RESET_TOKEN", "RATE_LIMITED"),
        },
      },
    },
    async (request) => {
      const { email, new_password } = request.body;
      const otp = typeof request.body.otp === "number" ? String(request.body.otp).padStart(6, "0") : request.body.otp;
      const ctx = requestContext(request);
      await assertResetPasswordAcceptable(services, email, new_password, "/new_password");
      const { resetToken } = await verifyPasswordResetCode(services, { email, otp }, ctx);
      await setNewPassword(services, { email, resetToken, newPassword: new_password }, ctx, "/new_password");
      return { message: "Password updated successfully" as const };
    },
  );
};
