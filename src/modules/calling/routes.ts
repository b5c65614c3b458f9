import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses } from "../../lib/http-schemas.js";
import { requestContext } from "../auth/request.js";
import { readerFor } from "../../db/read-routing.js";
import type { Services } from "../../services.js";
import { recordPostCallOutcome } from "./post-call.js";
import { preCall } from "./pre-call.js";
import {
  DispositionList,
  PostCallBody,
  PostCallResponse,
  PreCallQuery,
  PreCallResponse,
  WorklistQuery,
  WorklistResponse,
} from "./schemas.js";
import { listDispositionViews, verifyDispositions } from "./dispositions.js";
import { buildWorklist } from "./worklist.js";
import { worklistViewer } from "../allocation/worklist-view.js";

const tags = ["calling"];
const security: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { apiKey: [] }];

export const callingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  // Registered after migrations and seeding: the rows the outcomes' effects rely on are checked once.
  await verifyDispositions(services, app.log);

  app.get(
    "/api/crm/pre-call",
    {
      onRequest: [app.authenticateCaller("precall:read")],
      schema: {
        tags,
        security,
        summary: "Who is calling / being called, and can we call them now",
        description:
          "Matches phone or altPhone. 404 CUSTOMER_NOT_FOUND; 400 INVALID_PHONE. Agents, or an API key with precall:read.",
        querystring: PreCallQuery,
        response: { 200: PreCallResponse, ...errorResponses("CUSTOMER_NOT_FOUND", "INVALID_PHONE") },
      },
    },
    async (request) =>
      preCall(
        services,
        request.query.phone,
        { userId: request.auth?.userId ?? null, apiKeyId: request.apiKey?.id ?? null },
        (await readerFor(request, services)).queryNamed,
      ),
  );

  app.post(
    "/api/crm/post-call",
    {
      onRequest: [app.authenticateCaller("postcall:write")],
      schema: {
        tags,
        security,
        summary: "Record a call's outcome and its effects in one transaction (idempotent by callId)",
        description:
          "201 with the interaction, the promise (promise_to_pay) and the new eligibility. The same callId again returns the first result with 200; with a different body, 409. Agents, or an API key with postcall:write.",
        body: PostCallBody,
        response: {
          200: PostCallResponse,
          201: PostCallResponse,
          ...errorResponses("CUSTOMER_NOT_FOUND", "INVALID_PHONE", "CONFLICT"),
        },
      },
    },
    async (request, reply) => {
      const caller = {
        userId: request.auth?.userId ?? null,
        userName: request.auth?.user.name ?? null,
        apiKeyId: request.apiKey?.id ?? null,
      };
      const { created, ...result } = await recordPostCallOutcome(
        services,
        request.body,
        caller,
        requestContext(request),
      );
      return reply.status(created ? 201 : 200).send(result);
    },
  );

  app.get(
    "/api/crm/dispositions",
    {
      onRequest: [app.authenticateCaller("postcall:write")],
      schema: {
        tags,
        security,
        summary: "The call outcomes a post-call accepts, in picker order, with the fields each requires",
        response: { 200: DispositionList },
      },
    },
    async () => ({ data: await listDispositionViews(services) }),
  );

  app.get(
    "/api/crm/worklist",
    {
      onRequest: [app.authenticateCaller("worklist:read")],
      schema: {
        tags,
        security,
        summary: "Customers to call now: due callbacks, then broken promises, then days past due × amount overdue",
        description:
          "Only customers who owe money and can be called now under the eligibility rules. For an agent, their own view: only what next-call could give them (their pools, ALLOCATION_POOL), never a customer claimed by someone else, each row with its owner. Agents, or an API key with worklist:read.",
        querystring: WorklistQuery,
        response: { 200: WorklistResponse },
      },
    },
    async (request) =>
      buildWorklist(
        services,
        request.query.limit,
        worklistViewer(services, {
          userId: request.auth?.userId ?? null,
          teamId: request.auth?.user.teamId ?? null,
          apiKeyId: request.apiKey?.id ?? null,
        }),
      ),
  );
};
