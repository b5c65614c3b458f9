import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errorResponses, MessageResponse } from "../../lib/http-schemas.js";
import { requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { SessionList } from "../auth/schemas.js";
import { activeSessionViews, sessionPolicy } from "../auth/sessions.js";
import { IdParams } from "../loans/schemas.js";
import { createPrefix, deletePrefix, listPrefixes, updatePrefix } from "./prefixes.js";
import {
  ActivityQuery,
  ActivitySummary,
  AdminUserCreateBody,
  AdminUserCreated,
  AdminUserList,
  AdminUserListQuery,
  AdminUserPatchBody,
  AdminUserView,
  PrefixBody,
  PrefixIdParams,
  PrefixPatchBody,
  PrefixView,
  ReasonBody,
} from "./schemas.js";
import {
  activitySummary,
  adminCreateUser,
  adminPatchUser,
  changeAccountState,
  endAllSessionsOf,
  endSessionOf,
  getAdminUser,
  listUsers,
} from "./service.js";

const tags = ["administration"];
const security = [{ bearerAuth: [] }];

export const adminUserRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = [app.authenticate, app.requireRole("admin")];

  app.get(
    "/users",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Staff accounts",
        querystring: AdminUserListQuery,
        response: { 200: AdminUserList },
      },
    },
    async (request) => listUsers(services, request.query),
  );

  app.post(
    "/users",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Create an account of any role; the admin never learns its password",
        body: AdminUserCreateBody,
        response: { 201: AdminUserCreated, ...errorResponses("INVALID_PHONE", "CONFLICT") },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await adminCreateUser(services, request.body, requestContext(request))),
  );

  app.get(
    "/users/:id",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "One account",
        params: IdParams,
        response: { 200: AdminUserView, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => getAdminUser(services, request.params.id),
  );

  app.patch(
    "/users/:id",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Change name, role or phone (the last active admin cannot be demoted)",
        params: IdParams,
        body: AdminUserPatchBody,
        response: { 200: AdminUserView, ...errorResponses("NOT_FOUND", "INVALID_PHONE", "LAST_ADMIN", "CONFLICT") },
      },
    },
    async (request) => adminPatchUser(services, request.params.id, request.body, requestContext(request)),
  );

  for (const action of ["lock", "unlock", "deactivate", "activate"] as const) {
    app.post(
      `/users/:id/${action}`,
      {
        onRequest: admin,
        schema: {
          tags,
          security,
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} an account${action === "lock" || action === "deactivate" ? " (ends its sessions; never the last active admin)" : ""}`,
          params: IdParams,
          body: ReasonBody,
          response: { 200: AdminUserView, ...errorResponses("NOT_FOUND", "FORBIDDEN", "LAST_ADMIN") },
        },
      },
      async (request) =>
        changeAccountState(services, request.params.id, action, request.body.reason, requestContext(request)),
    );
  }

  app.get(
    "/users/:id/activity",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Activity summary",
        params: IdParams,
        querystring: ActivityQuery,
        response: { 200: ActivitySummary, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => activitySummary(services, request.params.id, request.query.days),
  );

  app.get(
    "/users/:id/sessions",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "The account's active sessions",
        params: IdParams,
        response: { 200: SessionList, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => {
      await getAdminUser(services, request.params.id);
      const policy = sessionPolicy(services.config);
      return {
        data: await activeSessionViews(
          services.db,
          request.params.id,
          services.clock.now(),
          policy,
          request.auth?.sessionId,
        ),
      };
    },
  );

  app.delete(
    "/users/:id/sessions",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "End all the account's sessions",
        params: IdParams,
        response: { 200: MessageResponse, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => ({
      message: `Ended ${await endAllSessionsOf(services, request.params.id, requestContext(request))} session(s)`,
    }),
  );

  app.delete(
    "/users/:id/sessions/:sessionId",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "End one of the account's sessions (its refresh tokens are revoked with it)",
        params: Type.Object({ id: Type.String({ format: "uuid" }), sessionId: Type.String({ format: "uuid" }) }),
        response: {
          204: Type.Null({ description: "The session is ended" }),
          ...errorResponses("NOT_FOUND"),
        },
      },
    },
    async (request, reply) => {
      await endSessionOf(services, request.params.id, request.params.sessionId, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  const prefixTags = ["administration: phone prefixes"];
  app.get(
    "/phone-prefixes",
    {
      onRequest: admin,
      schema: {
        tags: prefixTags,
        security,
        summary: "Mobilis prefixes accepted for staff phones",
        response: { 200: Type.Object({ data: Type.Array(PrefixView) }) },
      },
    },
    async () => listPrefixes(services),
  );
  app.post(
    "/phone-prefixes",
    {
      onRequest: admin,
      schema: {
        tags: prefixTags,
        security,
        summary: "Add a prefix",
        body: PrefixBody,
        response: { 201: PrefixView, ...errorResponses("CONFLICT") },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createPrefix(services, request.body, requestContext(request))),
  );
  app.patch(
    "/phone-prefixes/:id",
    {
      onRequest: admin,
      schema: {
        tags: prefixTags,
        security,
        summary: "Change or disable a prefix",
        params: PrefixIdParams,
        body: PrefixPatchBody,
        response: { 200: PrefixView, ...errorResponses("NOT_FOUND", "CONFLICT") },
      },
    },
    async (request) => updatePrefix(services, request.params.id, request.body, requestContext(request)),
  );
  app.delete(
    "/phone-prefixes/:id",
    {
      onRequest: admin,
      schema: {
        tags: prefixTags,
        security,
        summary: "Remove a prefix",
        params: PrefixIdParams,
        response: { 200: MessageResponse, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => {
      await deletePrefix(services, request.params.id, requestContext(request));
      return { message: "Prefix removed" };
    },
  );
};
