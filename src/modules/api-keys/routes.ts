import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { IdParams } from "../loans/schemas.js";
import { ApiKeyCreateBody, ApiKeyCreated, ApiKeyList } from "./schemas.js";
import { createApiKey, listApiKeyViews, revokeKey } from "./service.js";

const tags = ["integration keys"];
const security = [{ bearerAuth: [] }];

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = [app.authenticate, app.requireRole("admin")];

  app.post(
    "/api-keys",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Create a key for a dialer or voice bot (admin); the key is returned once",
        description:
          "Send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`. Scopes: precall:read, postcall:write, worklist:read, worklist:claim (dialer batches).",
        body: ApiKeyCreateBody,
        response: { 201: ApiKeyCreated },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiKey(services, request.body, requestContext(request))),
  );

  app.get(
    "/api-keys",
    {
      onRequest: admin,
      schema: { tags, security, summary: "List keys (never the key itself)", response: { 200: ApiKeyList } },
    },
    async () => listApiKeyViews(services),
  );

  app.delete(
    "/api-keys/:id",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Revoke a key",
        params: IdParams,
        response: { 200: MessageResponse, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => {
      await revokeKey(services, request.params.id, requestContext(request));
      return { message: "API key revoked" };
    },
  );
};
