import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { mapPostgresError } from "../lib/error-mapping.js";
import { AppError, type ErrorCode, type ErrorDetail } from "../lib/errors.js";
import { recordAudit } from "../modules/audit/service.js";
import { ACCESS_DENIED_ACTION } from "../modules/security/detectors.js";
import type { RequestContext } from "../services.js";
import { requestContext } from "../modules/auth/request.js";

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function validationDetails(issues: ValidationIssue[]): ErrorDetail[] {
  return issues.map((issue) => {
    const missing = issue.keyword === "required" ? issue.params?.missingProperty : undefined;
    const extra = issue.keyword === "additionalProperties" ? issue.params?.additionalProperty : undefined;
    const path = `${issue.instancePath ?? ""}${missing || extra ? `/${String(missing ?? extra)}` : ""}`;
    const message =
      missing !== undefined
        ? "is required"
        : extra !== undefined
          ? "is not an accepted field"
          : (issue.message ?? "is invalid");
    return { path: path || "/", message };
  });
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
  503: "DATABASE_UNAVAILABLE",
};

/** Turns anything thrown into a catalogue error; unknown errors become INTERNAL_ERROR. */
export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error;
  const fe = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const details = validationDetails(fe.validation);
    const where = fe.validationContext ?? "request";
    const first = details[0];
    return new AppError("VALIDATION_ERROR", `Invalid ${where}${first ? `: ${first.path} ${first.message}` : ""}`, {
      details,
    });
  }
  switch (fe.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new AppError("INVALID_JSON", fe.message);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("PAYLOAD_TOO_LARGE");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError("UNSUPPORTED_MEDIA_TYPE");
  }
  const fromDatabase = mapPostgresError(error);
  if (fromDatabase) return fromDatabase;
  const status = fe.statusCode;
  if (status && status >= 400 && status < 500) {
    // Fastify's own 4xx messages describe the request, never internals, so they are safe to return.
    return new AppError(STATUS_CODES[status] ?? "VALIDATION_ERROR", fe.message, { status });
  }
  return new AppError("INTERNAL_ERROR", undefined, { cause: error });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, appError: AppError) {
  if (appError.headers) reply.headers(appError.headers);
  return reply.status(appError.statusCode).send({
    error: {
      code: appError.code,
      message: appError.message,
      ...(appError.details && appError.details.length > 0 ? { details: appError.details } : {}),
      ...appError.extra,
    },
    requestId: request.id,
  });
}

/** Refusals worth a line that says who was refused: an operator reading the log at 3 a.m. needs it. */
const REFUSALS = new Set([401, 403, 423, 429]);

/**
 * A 403 to a signed-in user or key is audited, so repeated refusals (someone probing what a stolen
 * token reaches) surface in the suspicious-activity findings. Best effort: the refusal stands anyway.
 */
async function auditRefusal(app: FastifyInstance, request: FastifyRequest, ctx: RequestContext, code: string) {
  if (!ctx.actorId) return;
  try {
    await recordAudit(app.services.db, ctx, {
      action: ACCESS_DENIED_ACTION,
      entityType: "route",
      entityId: null,
      details: { route: `${request.method} ${request.routeOptions.url ?? "(unmatched)"}`, code },
    });
  } catch (err) {
    request.log.warn({ err }, "could not audit a refused request");
  }
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    if (appError.statusCode >= 500) {
      request.log.error({ err: error, code: appError.code }, "request failed");
    } else if (REFUSALS.has(appError.statusCode)) {
      const ctx = requestContext(request);
      request.log.warn(
        {
          code: appError.code,
          status: appError.statusCode,
          route: `${request.method} ${request.routeOptions.url ?? "(unmatched)"}`,
          ip: ctx.ip,
          userId: request.auth?.userId ?? null,
          apiKeyId: request.apiKey?.id ?? null,
        },
        `refused: ${appError.message}`,
      );
      if (appError.statusCode === 403) await auditRefusal(app, request, ctx, appError.code);
    } else {
      request.log.info({ code: appError.code, status: appError.statusCode }, appError.message);
    }
    return sendError(request, reply, appError);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new AppError("NOT_FOUND", `Route ${request.method} ${request.url.split("?")[0]} not found`),
    ),
  );
}
