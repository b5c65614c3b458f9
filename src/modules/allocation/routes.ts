import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { AppError } from "../../lib/errors.js";
import { authOf, requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { claimBatch, nextCall, releaseClaim, returnBatch } from "./claims.js";
import type { Holder } from "./repository.js";
import {
  BatchBody,
  BatchResponse,
  CustomerIdParams,
  NextCallResponse,
  ReleaseBody,
  ReleaseResponse,
  ReturnQuery,
  ReturnResponse,
} from "./schemas.js";
import { errorResponses } from "../../lib/http-schemas.js";

const tags = ["calling"];

const holderOf = (request: FastifyRequest): Holder =>
  request.apiKey ? { apiKeyId: request.apiKey.id } : { userId: authOf(request).userId };

function dialerKey(request: FastifyRequest): string {
  if (!request.apiKey)
    throw new AppError(
      "FORBIDDEN",
      "Batches are for dialers: use an API key with the worklist:claim scope (agents use next-call)",
    );
  return request.apiKey.id;
}

export const allocationCrmRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/crm/next-call",
    {
      onRequest: [app.authenticate, app.requireRole("agent")],
      schema: {
        tags,
        security: [{ bearerAuth: [] }],
        summary: "Claim the next customer to call (own customers, then the team's, then the unowned pool)",
        description:
          "200 {claim, precall}: the best callable customer in worklist order, held for CLAIM_LEASE_SECONDS; asking again while the claim is live returns the same claim. Nothing callable: 200 {claim: null, summary}. A post-call for the customer releases the claim.",
        response: { 200: NextCallResponse },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return nextCall(services, { id: auth.userId, teamId: auth.user.teamId ?? null });
    },
  );

  app.post(
    "/crm/claims/:customerId/release",
    {
      onRequest: [app.authenticateCaller("worklist:claim")],
      schema: {
        tags,
        security: [{ bearerAuth: [] }, { apiKey: [] }],
        summary: "End your claim on a customer early (skipped: audited and counted per agent)",
        description: "404 CLAIM_NOT_FOUND when the caller holds no live claim on the customer.",
        params: CustomerIdParams,
        body: ReleaseBody,
        response: { 200: ReleaseResponse, ...errorResponses("CLAIM_NOT_FOUND") },
      },
    },
    async (request) =>
      releaseClaim(
        services,
        holderOf(request),
        request.params.customerId,
        request.body.reason,
        request.body.note ?? null,
        requestContext(request),
      ),
  );

  app.post(
    "/crm/claims",
    {
      onRequest: [app.authenticateCaller("worklist:claim")],
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "A dialer's batch: claim up to `count` callable customers with the numbers to dial",
        description:
          "API key with worklist:claim. Same guarantees as next-call; each post-call by the key releases its customer; DELETE returns the rest.",
        body: BatchBody,
        response: { 200: BatchResponse, ...errorResponses("FORBIDDEN") },
      },
    },
    async (request) =>
      claimBatch(services, dialerKey(request), request.body.count, request.body.teamId, requestContext(request)),
  );

  app.delete(
    "/crm/claims",
    {
      onRequest: [app.authenticateCaller("worklist:claim")],
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "Return the unused rest of a batch (?batchId=), or every live claim of the key",
        querystring: ReturnQuery,
        response: { 200: ReturnResponse, ...errorResponses("FORBIDDEN") },
      },
    },
    async (request) => returnBatch(services, dialerKey(request), request.query.batchId),
  );
};
