import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Services } from "../../services.js";
import { SuspiciousQuery, SuspiciousResponse } from "./schemas.js";
import { detectSuspiciousActivity } from "./service.js";

const tags = ["security"];
const security = [{ bearerAuth: [] }];

export const securityRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    "/security/suspicious",
    {
      onRequest: [app.authenticate, app.requireRole("supervisor")],
      schema: {
        tags,
        security,
        summary: "Suspicious sign-in and OTP activity over the last `hours` (seed 002 detect_suspicious_activity)",
        description:
          "Types: credential_stuffing, distributed_attack, otp_burst, otp_blocked, refresh_token_reuse, success_after_failures, off_hours_login. " +
          "Each finding not seen before is written once to the audit log (action security.suspicious_activity, entity_id = key). Supervisors and admins.",
        querystring: SuspiciousQuery,
        response: { 200: SuspiciousResponse },
      },
    },
    // `recorded` stays internal (the CLI reports it); the response schema leaves it out.
    async (request) => detectSuspiciousActivity(services, request.query.hours, { requestId: request.id }),
  );
};
