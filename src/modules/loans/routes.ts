import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readServices } from "../../db/read-routing.js";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { expectedVersion } from "../../lib/versioning.js";
import { requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import {
  IdParams,
  IfMatchHeaders,
  LoanCreateBody,
  LoanList,
  LoanListQuery,
  LoanPatchBody,
  LoanView,
} from "./schemas.js";
import { createLoan, deleteLoan, getLoanView, listLoanViews, patchLoan } from "./service.js";

const tags = ["loans"];
const security = [{ bearerAuth: [] }];

export const loanRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const agent = [app.authenticate, app.requireRole("agent")];
  const supervisor = [app.authenticate, app.requireRole("supervisor")];
  const admin = [app.authenticate, app.requireRole("admin")];

  app.get(
    "/loans",
    {
      onRequest: agent,
      schema: { tags, security, summary: "List loans", querystring: LoanListQuery, response: { 200: LoanList } },
    },
    async (request) => listLoanViews(await readServices(request, services), request.query),
  );

  app.post(
    "/loans",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Create a loan (supervisor)",
        body: LoanCreateBody,
        response: { 201: LoanView, ...errorResponses("CONFLICT") },
      },
    },
    async (request, reply) => {
      const view = await createLoan(services, request.body, requestContext(request));
      return reply.status(201).header("etag", `"${view.version}"`).send(view);
    },
  );

  app.get(
    "/loans/:id",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "A loan with days past due and bucket",
        params: IdParams,
        response: { 200: LoanView, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request, reply) => {
      const view = await getLoanView(await readServices(request, services), request.params.id);
      return reply.header("etag", `"${view.version}"`).send(view);
    },
  );

  app.patch(
    "/loans/:id",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Update a loan (supervisor); needs the version read (body or If-Match)",
        description: "409 VERSION_CONFLICT with the current record when the version is stale.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: LoanPatchBody,
        response: { 200: LoanView, ...errorResponses("NOT_FOUND", "VERSION_CONFLICT", "CONFLICT") },
      },
    },
    async (request, reply) => {
      const { version, ...changes } = request.body;
      const view = await patchLoan(
        services,
        request.params.id,
        expectedVersion(version, request.headers["if-match"]),
        changes,
        requestContext(request),
      );
      return reply.header("etag", `"${view.version}"`).send(view);
    },
  );

  app.delete(
    "/loans/:id",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Delete a loan entered by mistake (admin)",
        description: "409 CONFLICT (with the counts) while the loan has payments, promises or interactions.",
        params: IdParams,
        response: { 200: MessageResponse },
      },
    },
    async (request) => {
      await deleteLoan(services, request.params.id, requestContext(request));
      return { message: "Loan deleted" };
    },
  );
};
