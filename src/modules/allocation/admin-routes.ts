import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { authOf, requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { IdParams } from "../loans/schemas.js";
import {
  AssignmentBody,
  AssignmentQuery,
  AssignmentResult,
  AssignmentSummary,
  Board,
  BoardQuery,
  MembersBody,
  TeamCreateBody,
  TeamList,
  TeamMemberParams,
  TeamPatchBody,
  TeamView,
  WorklistPreviewQuery,
} from "./admin-schemas.js";
import { WorklistResponse } from "../calling/schemas.js";
import { errorResponses } from "../../lib/http-schemas.js";
import { assignCustomers } from "./assignments.js";
import { assignmentSummary, liveBoard } from "./board.js";
import { addMembers, createTeam, getTeam, listTeams, removeMember, updateTeam } from "./teams.js";
import { previewWorklist } from "./worklist-view.js";

const tags = ["allocation"];
const security = [{ bearerAuth: [] }];

const viewerOf = (request: FastifyRequest) => {
  const auth = authOf(request);
  return { userId: auth.userId, role: auth.role, teamId: auth.user.teamId ?? null };
};

/** Teams, assignments, the summary and the live board. */
export const allocationAdminRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = [app.authenticate, app.requireRole("admin")];
  const supervisor = [app.authenticate, app.requireRole("supervisor")];

  app.get(
    "/admin/teams",
    {
      onRequest: supervisor,
      schema: { tags, security, summary: "Teams (supervisors: their own)", response: { 200: TeamList } },
    },
    async (request) => listTeams(services, viewerOf(request)),
  );
  app.get(
    "/admin/teams/:id",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "A team with its members (supervisors: their own)",
        params: IdParams,
        response: { 200: TeamView, ...errorResponses("NOT_FOUND", "FORBIDDEN") },
      },
    },
    async (request) => getTeam(services, request.params.id, viewerOf(request)),
  );
  app.post(
    "/admin/teams",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Create a team",
        body: TeamCreateBody,
        response: { 201: TeamView, ...errorResponses("CONFLICT") },
      },
    },
    async (request, reply) => reply.status(201).send(await createTeam(services, request.body, requestContext(request))),
  );
  app.patch(
    "/admin/teams/:id",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Rename a team or change its supervisor",
        params: IdParams,
        body: TeamPatchBody,
        response: { 200: TeamView, ...errorResponses("NOT_FOUND", "CONFLICT") },
      },
    },
    async (request) => updateTeam(services, request.params.id, request.body, requestContext(request)),
  );
  app.post(
    "/admin/teams/:id/members",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Move users into the team (a user belongs to at most one)",
        params: IdParams,
        body: MembersBody,
        response: { 200: TeamView, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => addMembers(services, request.params.id, request.body.userIds, requestContext(request)),
  );
  app.delete(
    "/admin/teams/:id/members/:userId",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Take a user out of the team",
        params: TeamMemberParams,
        response: { 200: TeamView, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => removeMember(services, request.params.id, request.params.userId, requestContext(request)),
  );

  app.post(
    "/admin/assignments",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary:
          "Assign customers (by ids or filter) to an agent or a team, or unassign them; ?dryRun=true only counts",
        description:
          "One set-based statement; each changed customer gets a customer.assigned audit entry with the old and new owner. round_robin and balance_amount spread over the team's active agents.",
        querystring: AssignmentQuery,
        body: AssignmentBody,
        response: { 200: AssignmentResult },
      },
    },
    async (request) => assignCustomers(services, request.body, request.query.dryRun, requestContext(request)),
  );
  app.get(
    "/admin/assignments/summary",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Per agent and per team: customers, total overdue, callable now, live claims, calls and skips today",
        response: { 200: AssignmentSummary },
      },
    },
    async () => assignmentSummary(services),
  );
  app.get(
    "/admin/claims",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "The live board: who holds which customer, since when, until when",
        querystring: BoardQuery,
        response: { 200: Board },
      },
    },
    async (request) => liveBoard(services, request.query.teamId),
  );
  app.get(
    "/admin/worklist",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Preview an agent's worklist (as next-call sees it) or a team's callable customers",
        description:
          "Exactly one of agentId and teamId. An agent's view is their own worklist; a team's lists its customers (its agents' and its pool) that nobody holds now.",
        querystring: WorklistPreviewQuery,
        response: { 200: WorklistResponse, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => previewWorklist(services, request.query),
  );
};
