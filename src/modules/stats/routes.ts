import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readServices } from "../../db/read-routing.js";
import { Type } from "typebox";
import type { Services } from "../../services.js";
import { collectionStats, loginStats, mostActiveUsers, userStats } from "./service.js";

const tags = ["statistics"];
const security = [{ bearerAuth: [] }];
const Range = {
  from: Type.Optional(Type.String({ format: "date-time" })),
  to: Type.Optional(Type.String({ format: "date-time" })),
};
const PromiseFigures = {
  promisesMade: Type.Integer(),
  promisesMadeAmount: Type.String(),
  promisesKept: Type.Integer(),
  promisesKeptAmount: Type.String(),
  promisesBroken: Type.Integer(),
  promisesBrokenAmount: Type.String(),
};
const ContactFigures = { calls: Type.Integer(), contacts: Type.Integer(), rightPartyContacts: Type.Integer() };

export const statsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const supervisor = [app.authenticate, app.requireRole("supervisor")];

  app.get(
    "/users",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Active and locked users, active sessions",
        response: {
          200: Type.Object({
            totalActiveUsers: Type.Integer(),
            totalLockedUsers: Type.Integer(),
            activeSessions: Type.Integer(),
          }),
        },
      },
    },
    async (request) => userStats(await readServices(request, services)),
  );

  app.get(
    "/logins",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Successful and failed sign-ins per hour or day (centre's timezone); default the last 7 days",
        querystring: Type.Object(
          { ...Range, interval: Type.Enum(["hour", "day"], { default: "day" }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            interval: Type.String(),
            timezone: Type.String(),
            data: Type.Array(
              Type.Object({ periodStart: Type.String(), successes: Type.Integer(), failures: Type.Integer() }),
            ),
            total: Type.Object({ successes: Type.Integer(), failures: Type.Integer() }),
          }),
        },
      },
    },
    async (request) => loginStats(await readServices(request, services), request.query),
  );

  app.get(
    "/most-active-users",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Users with the most sign-ins (then calls) over the last days",
        querystring: Type.Object(
          {
            days: Type.Integer({ minimum: 1, maximum: 365, default: 7 }),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            days: Type.Integer(),
            data: Type.Array(
              Type.Object({
                userId: Type.String(),
                name: Type.String(),
                email: Type.String(),
                role: Type.String(),
                logins: Type.Integer(),
                interactions: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => mostActiveUsers(await readServices(request, services), request.query),
  );

  app.get(
    "/collections",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Calls, contacts, promises and money collected; per disposition and per agent (default the last 24 h)",
        querystring: Type.Object(Range, { additionalProperties: false }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            totals: Type.Object({
              ...ContactFigures,
              ...PromiseFigures,
              amountCollected: Type.String(),
              payments: Type.Integer(),
            }),
            byDisposition: Type.Array(Type.Object({ disposition: Type.String(), ...ContactFigures })),
            byAgent: Type.Array(
              Type.Object({
                agentId: Type.Union([Type.String(), Type.Null()]),
                agentName: Type.Union([Type.String(), Type.Null()]),
                ...ContactFigures,
                ...PromiseFigures,
              }),
            ),
          }),
        },
      },
    },
    async (request) => collectionStats(await readServices(request, services), request.query),
  );
};
