import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { Nullable } from "../../lib/http-schemas.js";
import { CursorQuery, LimitQuery, PageInfo, paginate, timeCursor, timeKeyOf } from "../../lib/pagination.js";
import type { Services } from "../../services.js";
import { fixFor } from "./outbox.js";
import { listOutbox } from "./repository.js";

const Status = Type.Union([
  Type.Literal("pending"),
  Type.Literal("sending"),
  Type.Literal("sent"),
  Type.Literal("failed"),
]);

/** A message as operators see it: where it stands and what to fix, never its body (codes are in it). */
const OutboxView = Type.Object({
  id: Type.String({ format: "uuid" }),
  kind: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  category: Nullable(Type.String({ description: "SMTP_AUTH_REJECTED, SMTP_UNREACHABLE, SMTP_TIMEOUT or SMTP_ERROR" })),
  fix: Nullable(Type.String()),
  error: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  nextAttemptAt: Nullable(Type.String({ format: "date-time" })),
  sentAt: Nullable(Type.String({ format: "date-time" })),
});

const Query = Type.Object(
  { cursor: Type.Optional(CursorQuery), limit: LimitQuery, status: Type.Optional(Status) },
  { additionalProperties: false },
);

export const emailOutboxRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    "/email-outbox",
    {
      onRequest: [app.authenticate, app.requireRole("admin")],
      schema: {
        tags: ["administration"],
        security: [{ bearerAuth: [] }],
        summary:
          "The mail outbox, newest first: delivery status, attempts, failure category and its fix (never the body)",
        querystring: Query,
        response: { 200: Type.Object({ data: Type.Array(OutboxView), page: PageInfo }) },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listOutbox(services.db, { status: q.status, after: timeKeyOf(q.cursor), limit: q.limit + 1 });
      const page = paginate(rows, q.limit, (r) => timeCursor(r.createdAt, r.id));
      return {
        data: page.data.map((r) => ({
          id: r.id,
          kind: r.kind,
          to: r.toAddress,
          subject: r.subject,
          status: r.status,
          attempts: r.attempts,
          maxAttempts: services.config.MAIL_MAX_ATTEMPTS,
          category: r.errorCategory,
          fix: fixFor(r.errorCategory, services.config),
          error: r.lastError,
          createdAt: r.createdAt.toISOString(),
          nextAttemptAt: r.status === "pending" ? r.nextAttemptAt.toISOString() : null,
          sentAt: r.sentAt?.toISOString() ?? null,
        })),
        page: page.page,
      };
    },
  );
};
