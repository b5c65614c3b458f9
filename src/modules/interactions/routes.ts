import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { AppError } from "../../lib/errors.js";
import { CursorQuery, LimitQuery } from "../../lib/pagination.js";
import { authOf, requestContext } from "../../plugins/auth.js";
import type { Services } from "../../services.js";
import { findCustomer } from "../customers/repository.js";
import { IdParams } from "../loans/schemas.js";
import { InteractionCreateBody, InteractionList, InteractionListQuery, InteractionView } from "./schemas.js";
import { listInteractionViews, logInteraction } from "./service.js";

const tags = ["interactions"];
const security = [{ bearerAuth: [] }];

export const interactionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const agent = [app.authenticate, app.requireRole("agent")];

  app.get(
    "/api/interactions",
    { onRequest: agent, schema: { tags, security, summary: "Interactions, newest first, with filters", querystring: InteractionListQuery, response: { 200: InteractionList } } },
    async (request) => listInteractionViews(services, request.query),
  );

  app.get(
    "/api/customers/:id/interactions",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "A customer's interactions, newest first",
        params: IdParams,
        querystring: Type.Object({ cursor: Type.Optional(CursorQuery), limit: LimitQuery }, { additionalProperties: false }),
        response: { 200: InteractionList },
      },
    },
    async (request) => {
      if (!(await findCustomer(services.db, request.params.id))) throw new AppError("NOT_FOUND", "Customer not found");
      return listInteractionViews(services, { ...request.query, customerId: request.params.id });
    },
  );

  app.post(
    "/api/interactions",
    { onRequest: agent, schema: { tags, security, summary: "Log a note or a contact by hand", body: InteractionCreateBody, response: { 201: InteractionView } } },
    async (request, reply) => {
      const { user } = authOf(request);
      const view = await logInteraction(services, request.body, { id: user.id, name: user.name }, requestContext(request));
      return reply.status(201).send(view);
    },
  );
};
