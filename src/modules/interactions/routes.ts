import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readServices } from "../../db/read-routing.js";
import { Type } from "typebox";
import { AppError } from "../../lib/errors.js";
import { CursorQuery, LimitQuery } from "../../lib/pagination.js";
import { authOf, requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { findCustomer } from "../customers/repository.js";
import { expectedVersion } from "../../lib/versioning.js";
import { IdParams, IfMatchHeaders } from "../loans/schemas.js";
import {
  InteractionCorrected,
  InteractionCreateBody,
  InteractionDetail,
  InteractionList,
  InteractionListQuery,
  InteractionPatchBody,
  InteractionView,
} from "./schemas.js";
import { correctInteraction, getInteractionDetail, listInteractionViews, logInteraction } from "./service.js";
import { errorResponses } from "../../lib/http-schemas.js";

const tags = ["interactions"];
const security = [{ bearerAuth: [] }];

export const interactionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const agent = [app.authenticate, app.requireRole("agent")];
  const supervisor = [app.authenticate, app.requireRole("supervisor")];

  app.get(
    "/interactions",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "Interactions, newest first, with filters",
        querystring: InteractionListQuery,
        response: { 200: InteractionList },
      },
    },
    async (request) => listInteractionViews(await readServices(request, services), request.query),
  );

  app.get(
    "/customers/:id/interactions",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "A customer's interactions, newest first",
        params: IdParams,
        querystring: Type.Object(
          { cursor: Type.Optional(CursorQuery), limit: LimitQuery },
          { additionalProperties: false },
        ),
        response: { 200: InteractionList, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => {
      const reading = await readServices(request, services);
      if (!(await findCustomer(reading.db, request.params.id))) throw new AppError("NOT_FOUND", "Customer not found");
      return listInteractionViews(reading, { ...request.query, customerId: request.params.id });
    },
  );

  app.post(
    "/interactions",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "Log a note or a contact by hand",
        body: InteractionCreateBody,
        response: { 201: InteractionView, ...errorResponses("CONFLICT") },
      },
    },
    async (request, reply) => {
      const { user } = authOf(request);
      const view = await logInteraction(
        services,
        request.body,
        { id: user.id, name: user.name },
        requestContext(request),
      );
      return reply.status(201).send(view);
    },
  );

  app.get(
    "/interactions/:id",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "One interaction",
        params: IdParams,
        response: { 200: InteractionDetail, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request, reply) => {
      const view = await getInteractionDetail(await readServices(request, services), request.params.id);
      return reply.header("etag", `"${view.version}"`).send(view);
    },
  );

  app.patch(
    "/interactions/:id",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary:
          "Correct an interaction's notes or disposition (supervisor); needs the version read (body or If-Match)",
        description:
          "The disposition's effects (promise, loan status, number flags, callback) are not re-run: the response says so " +
          "(`effectsReRun: false`). The audit entry keeps the original values. 409 VERSION_CONFLICT with the current record when the version is stale.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: InteractionPatchBody,
        response: { 200: InteractionCorrected, ...errorResponses("NOT_FOUND", "VERSION_CONFLICT") },
      },
    },
    async (request, reply) => {
      const { version, ...changes } = request.body;
      const view = await correctInteraction(
        services,
        request.params.id,
        expectedVersion(version, request.headers["if-match"]),
        changes,
        requestContext(request),
      );
      return reply.header("etag", `"${view.version}"`).send(view);
    },
  );
};
