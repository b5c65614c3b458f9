import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Services } from "../../services.js";
import { IdParams } from "../loans/schemas.js";
import { PromiseList } from "./schemas.js";
import { listPromiseViews } from "./service.js";

// Promises are made by a post-call, so their route stays under the calling tag in the reference.
const tags = ["calling"];

export const promiseRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    "/api/loans/:id/promises",
    {
      onRequest: [app.authenticate, app.requireRole("agent")],
      schema: {
        tags,
        security: [{ bearerAuth: [] }],
        summary: "A loan's promises to pay, newest first",
        params: IdParams,
        response: { 200: PromiseList },
      },
    },
    async (request) => listPromiseViews(services, request.params.id),
  );
};
