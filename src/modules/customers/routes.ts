import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readServices } from "../../db/read-routing.js";
import { Type } from "typebox";
import { AppError } from "../../lib/errors.js";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { CursorQuery } from "../../lib/pagination.js";
import { expectedVersion } from "../../lib/versioning.js";
import { requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { IdParams, IfMatchHeaders, LoanList } from "../loans/schemas.js";
import { listLoanViews } from "../loans/service.js";
import { ImportBody, ImportQuery, ImportResult, importCustomers, MAX_IMPORT_ROWS } from "./import.js";
import { findCustomer } from "./repository.js";
import {
  CustomerCreateBody,
  CustomerDetail,
  CustomerList,
  CustomerListQuery,
  CustomerPatchBody,
  CustomerView,
} from "./schemas.js";
import { createCustomer, deleteCustomer, getCustomerDetail, listCustomerViews, patchCustomer } from "./service.js";

const tags = ["customers"];
const security = [{ bearerAuth: [] }];

export const customerRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const agent = [app.authenticate, app.requireRole("agent")];
  const supervisor = [app.authenticate, app.requireRole("supervisor")];
  const admin = [app.authenticate, app.requireRole("admin")];

  app.get(
    "/customers",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "Search and list customers (keyset pagination)",
        querystring: CustomerListQuery,
        response: { 200: CustomerList },
      },
    },
    async (request) => listCustomerViews(await readServices(request, services), request.query),
  );

  app.post(
    "/customers",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Create a customer (supervisor)",
        body: CustomerCreateBody,
        response: { 201: CustomerView, ...errorResponses("INVALID_PHONE", "CONFLICT") },
      },
    },
    async (request, reply) => {
      const view = await createCustomer(services, request.body, requestContext(request));
      return reply.status(201).header("etag", `"${view.version}"`).send(view);
    },
  );

  app.get(
    "/customers/:id",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "A customer with loans and their summary",
        params: IdParams,
        response: { 200: CustomerDetail, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request, reply) => {
      const detail = await getCustomerDetail(await readServices(request, services), request.params.id);
      return reply.header("etag", `"${detail.version}"`).send(detail);
    },
  );

  app.patch(
    "/customers/:id",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Update a customer (supervisor); needs the version read (body or If-Match)",
        description: "409 VERSION_CONFLICT with the current record when the version is stale.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: CustomerPatchBody,
        response: {
          200: CustomerView,
          ...errorResponses("NOT_FOUND", "VERSION_CONFLICT", "INVALID_PHONE", "CONFLICT"),
        },
      },
    },
    async (request, reply) => {
      const { version, ...changes } = request.body;
      const view = await patchCustomer(
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
    "/customers/:id",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Delete a customer without loans (admin)",
        params: IdParams,
        response: { 200: MessageResponse, ...errorResponses("NOT_FOUND", "CONFLICT") },
      },
    },
    async (request) => {
      await deleteCustomer(services, request.params.id, requestContext(request));
      return { message: "Customer deleted" };
    },
  );

  app.post(
    "/customers/import",
    {
      onRequest: supervisor,
      // Up to 5,000 customers with their loans is several megabytes of JSON.
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        tags,
        security,
        summary: "Import customers and loans (supervisor): upsert by externalRef / loanNumber, all or nothing",
        description: `At most ${MAX_IMPORT_ROWS} customers. Any invalid row rejects the whole import (400, every problem listed by index and field). ?dryRun=true validates and counts without writing.`,
        querystring: ImportQuery,
        body: ImportBody,
        response: { 200: ImportResult },
      },
    },
    async (request) => importCustomers(services, request.body, request.query.dryRun, requestContext(request)),
  );

  app.get(
    "/customers/:id/loans",
    {
      onRequest: agent,
      schema: {
        tags,
        security,
        summary: "A customer's loans",
        params: IdParams,
        querystring: Type.Object(
          { cursor: Type.Optional(CursorQuery), limit: Type.Integer({ minimum: 1, maximum: 100, default: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: LoanList },
      },
    },
    async (request) => {
      const reading = await readServices(request, services);
      if (!(await findCustomer(reading.db, request.params.id))) throw new AppError("NOT_FOUND", "Customer not found");
      return listLoanViews(reading, { ...request.query, customerId: request.params.id });
    },
  );
};
