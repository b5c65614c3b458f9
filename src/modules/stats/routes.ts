import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readServices } from "../../db/read-routing.js";
import { Type } from "typebox";
import type { Services } from "../../services.js";
import { errorResponses } from "../../lib/http-schemas.js";
import { BUCKETS } from "../loans/arrears.js";
import { arrearsStats, collectionStats, MAX_COLLECTION_DAYS } from "./collections.js";
import { loginStats, mostActiveUsers, userStats } from "./service.js";

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
const MoneyFigures = {
  amountCollected: Type.String({ description: "Decimal string" }),
  payments: Type.Integer(),
};
const COLLECTIONS_DESCRIPTION = `Calls count by the call's start, promises made by when they were made, kept and broken by when
they were judged so, payments by when they were paid; every range is [from, to), at most ${MAX_COLLECTION_DAYS} days.

**Money per agent.** A payment is credited to the agent who created the promise it kept, else to the
customer's currently assigned agent, else to nobody (the row whose \`agentId\` is null, which also holds
calls made by a dialer's key). A kept promise does not record its payments: a payment kept a promise when it
is on the promise's loan, made from the promise to its due date plus \`PROMISE_GRACE_DAYS\` (the
customer's calendar) and no later than the promise was judged kept; with several such promises, the latest made wins.

**byDay** has every calendar day of the range in the centre's timezone (\`timezone\`), and its figures
add up to \`totals\`, as \`byAgent\`'s do.`;

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
        summary:
          "Calls, contacts, promises and money collected; per disposition, per agent and per day (default the last 24 h)",
        description: COLLECTIONS_DESCRIPTION,
        querystring: Type.Object(Range, { additionalProperties: false }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            timezone: Type.String(),
            totals: Type.Object({ ...ContactFigures, ...PromiseFigures, ...MoneyFigures }),
            byDisposition: Type.Array(Type.Object({ disposition: Type.String(), ...ContactFigures })),
            byAgent: Type.Array(
              Type.Object({
                agentId: Type.Union([Type.String(), Type.Null()]),
                agentName: Type.Union([Type.String(), Type.Null()]),
                ...ContactFigures,
                ...PromiseFigures,
                ...MoneyFigures,
              }),
            ),
            byDay: Type.Array(
              Type.Object({
                day: Type.String({ format: "date", description: "YYYY-MM-DD in the centre's timezone" }),
                ...ContactFigures,
                ...PromiseFigures,
                ...MoneyFigures,
              }),
            ),
          }),
          ...errorResponses("VALIDATION_ERROR"),
        },
      },
    },
    async (request) => collectionStats(await readServices(request, services), request.query),
  );

  app.get(
    "/arrears",
    {
      onRequest: supervisor,
      schema: {
        tags,
        security,
        summary: "Customers, open loans and total overdue per arrears bucket, now",
        description:
          "The buckets are those of the customer list's and the assignments' `bucket` filter: days past due of the customer's oldest open loan, in the customer's timezone. Every bucket is listed, in order.",
        response: {
          200: Type.Object({
            asOf: Type.String({ format: "date-time" }),
            buckets: Type.Array(
              Type.Object({
                bucket: Type.Enum([...BUCKETS]),
                customers: Type.Integer(),
                loans: Type.Integer({ description: "The customers' open loans" }),
                totalOverdue: Type.String({ description: "Decimal string" }),
              }),
            ),
          }),
        },
      },
    },
    async (request) => arrearsStats(await readServices(request, services)),
  );
};
