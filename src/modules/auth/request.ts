import type { FastifyRequest } from "fastify";
import type { apiKeys, users, UserRole } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import { normalizeIp } from "../../lib/networks.js";
import type { RequestContext } from "../../services.js";

/**
 * Who is calling, as routes read it. The rows are typed from the schema, not from the users or
 * api-keys modules, so every module's routes can import this file without a folder-level cycle.
 */
export interface AuthInfo {
  userId: string;
  sessionId: string;
  /** From the database, not the token: a role change applies to the very next request. */
  role: UserRole;
  user: typeof users.$inferSelect;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthInfo | null;
    /** Set instead of `auth` when a dialer or bot calls with an integration key. */
    apiKey: typeof apiKeys.$inferSelect | null;
  }
}

const ROLE_RANK: Record<UserRole, number> = { agent: 1, supervisor: 2, admin: 3 };

export const hasRole = (role: UserRole, minimum: UserRole) => ROLE_RANK[role] >= ROLE_RANK[minimum];

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** The signed-in caller; only valid behind `app.authenticate`. */
export function authOf(request: FastifyRequest): AuthInfo {
  if (!request.auth) throw new AppError("UNAUTHORIZED");
  return request.auth;
}

/**
 * The client's address: Fastify's (which follows X-Forwarded-For only as far as TRUST_PROXY allows)
 * when it parses as an address, the socket's otherwise, so a forged header never lands in a counter
 * key or the sign-in history as free text.
 */
export function clientIp(request: FastifyRequest): string {
  return normalizeIp(request.ip) ?? normalizeIp(request.socket?.remoteAddress) ?? "0.0.0.0";
}

export function requestContext(request: FastifyRequest): RequestContext {
  return {
    ip: clientIp(request),
    userAgent: request.headers["user-agent"] ?? null,
    requestId: request.id,
    actorId: request.auth?.userId ?? request.apiKey?.id ?? null,
    actorType: request.apiKey ? "api_key" : request.auth ? "user" : "system",
  };
}
