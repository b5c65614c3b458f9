import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readServices } from "../../db/read-routing.js";
import { Type } from "typebox";
import { csvStream } from "../../lib/csv.js";
import { idKeyOf, LimitQuery, PageInfo, paginate } from "../../lib/pagination.js";
import type { Services } from "../../services.js";
import {
  type AuditFilter,
  FAILURE_ACTIONS,
  isSuccessAction,
  type LoginFilter,
  listAudit,
  listLogins,
} from "./repository.js";
import { Nullable } from "../../lib/http-schemas.js";

const tags = ["audit and history"];
const security = [{ bearerAuth: [] }];
const EXPORT_PAGE = 1000;
const Common = {
  from: Type.Optional(Type.String({ format: "date-time" })),
  to: Type.Optional(Type.String({ format: "date-time" })),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  limit: LimitQuery,
  format: Type.Enum(["json", "csv"], { default: "json", description: "csv streams every matching row (no paging)" }),
};

const AuditEntry = Type.Object({
  id: Type.Integer(),
  actorId: Nullable(Type.String()),
  actorType: Type.String(),
  action: Type.String(),
  success: Type.Boolean({ description: "false when the action records a refused or failed attempt (see the route)" }),
  entityType: Nullable(Type.String()),
  entityId: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
});
const LoginEntry = Type.Object({
  id: Type.Integer(),
  userId: Nullable(Type.String()),
  identifier: Type.String(),
  success: Type.Boolean(),
  reason: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
});

/** Every page of a filter, for the CSV export. */
async function* allPages<T extends { id: number }>(fetch: (beforeId?: number) => Promise<T[]>) {
  let beforeId: number | undefined;
  for (;;) {
    const page = await fetch(beforeId);
    if (page.length === 0) return;
    yield page;
    if (page.length < EXPORT_PAGE) return;
    beforeId = page.at(-1)!.id;
  }
}

export const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = [app.authenticate, app.requireRole("admin")];

  app.get(
    "/audit-logs",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "The audit log, newest first (`action` accepts a family such as auth.*)",
        description: `The audit log has no success column: an entry records what happened. \`success\` is derived
from the action: false for the actions that record a refused or failed attempt (${FAILURE_ACTIONS.map((a) => `\`${a}\``).join(", ")}),
true for every other (something done). \`?success=\` filters on it, in the list and in the CSV.`,
        querystring: Type.Object(
          {
            ...Common,
            actor: Type.Optional(Type.String({ format: "uuid" })),
            success: Type.Optional(Type.Boolean()),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            entityType: Type.Optional(Type.String({ maxLength: 50 })),
            entityId: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(AuditEntry), page: PageInfo }) },
      },
    },
    async (request, reply) => {
      const { format, cursor, limit, ...filter } = request.query;
      const f: AuditFilter = filter;
      const { db } = await readServices(request, services);
      if (format === "csv") {
        const stream = csvStream(
          [
            "id",
            "created_at",
            "actor_type",
            "actor_id",
            "action",
            "entity_type",
            "entity_id",
            "ip",
            "request_id",
            "details",
            "success",
          ],
          () => allPages((before) => listAudit(db, f, EXPORT_PAGE, before)),
          (r) => [
            r.id,
            r.createdAt,
            r.actorType,
            r.actorId,
            r.action,
            r.entityType,
            r.entityId,
            r.ip,
            r.requestId,
            r.details,
            isSuccessAction(r.action),
          ],
        );
        // A stream is piped as is: the JSON schema below does not apply to the CSV.
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="audit-logs.csv"')
          .send(stream as never);
      }
      const before = idKeyOf(cursor);
      const rows = await listAudit(db, f, limit + 1, before);
      return paginate(
        rows.map((r) => ({ ...r, success: isSuccessAction(r.action), createdAt: r.createdAt.toISOString() })),
        limit,
        (r) => [r.id],
      );
    },
  );

  app.get(
    "/login-history",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Every sign-in attempt, newest first",
        querystring: Type.Object(
          {
            ...Common,
            user: Type.Optional(Type.String({ format: "uuid" })),
            success: Type.Optional(Type.Boolean()),
            ip: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(LoginEntry), page: PageInfo }) },
      },
    },
    async (request, reply) => {
      const { format, cursor, limit, ...filter } = request.query;
      const f: LoginFilter = filter;
      const { db } = await readServices(request, services);
      if (format === "csv") {
        const stream = csvStream(
          ["id", "created_at", "user_id", "identifier", "success", "reason", "ip", "user_agent"],
          () => allPages((before) => listLogins(db, f, EXPORT_PAGE, before)),
          (r) => [r.id, r.createdAt, r.userId, r.identifier, r.success, r.reason, r.ip, r.userAgent],
        );
        // A stream is piped as is: the JSON schema below does not apply to the CSV.
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="login-history.csv"')
          .send(stream as never);
      }
      const before = idKeyOf(cursor);
      const rows = await listLogins(db, f, limit + 1, before);
      return paginate(
        rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
        limit,
        (r) => [r.id],
      );
    },
  );
};
