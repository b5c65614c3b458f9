import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ErrorCode } from "../../lib/errors.js";
import { APP_VERSION } from "../../lib/version.js";
import { HealthResponse, NotReadyResponse, ReadyResponse } from "./schemas.js";
import { createReadinessCheck } from "./service.js";

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const checkReadiness = createReadinessCheck(app.database);

  app.get(
    "/health",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness: the process is up (no database call)",
        response: { 200: HealthResponse },
      },
    },
    async () => ({ status: "ok" as const, uptime: Math.round(process.uptime()), version: APP_VERSION }),
  );

  app.get(
    "/ready",
    {
      schema: {
        tags: ["health"],
        summary: "Readiness: the database answers within 1 s and migrations are applied",
        description:
          "With a replica (DATABASE_REPLICA_URL), `replica` reports its lag; a replica down or lagging keeps the service ready (reads go to the primary).",
        response: { 200: ReadyResponse, 503: NotReadyResponse },
      },
    },
    async (request, reply) => {
      const readiness = await checkReadiness();
      const database = app.database.engine;
      const replicaStatus = app.services.reads.status();
      const replica = replicaStatus
        ? {
            reachable: replicaStatus.reachable,
            lagSeconds: replicaStatus.lagSeconds,
            maxLagSeconds: replicaStatus.maxLagSeconds,
            serving: replicaStatus.serving,
          }
        : undefined;
      if (readiness.ready) {
        return {
          status: "ready" as const,
          database,
          migrations: "up-to-date" as const,
          ...(replica ? { replica } : {}),
        };
      }
      return reply.status(503).send({
        error: {
          code: "NOT_READY" as const satisfies ErrorCode,
          message: readiness.failures.map((f) => `${f.path}: ${f.message}`).join("; "),
          details: readiness.failures,
        },
        requestId: request.id,
        status: "not_ready" as const,
        database,
        migrations: readiness.migrations,
        ...(replica ? { replica } : {}),
      });
    },
  );
};
