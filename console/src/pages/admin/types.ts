import type { paths } from "../../api/schema";

/** The JSON a route answers with `status`, from the generated API types. */
type Answer<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { "application/json": infer R } } };
}
  ? R
  : never;

export type AdminUser = Answer<"/api/admin/users/{id}", "get">;
export type AdminUserCreated = Answer<"/api/admin/users", "post", 201>;
export type Activity = Answer<"/api/admin/users/{id}/activity", "get">;
export type UserSession = Answer<"/api/admin/users/{id}/sessions", "get">["data"][number];
export type ApiKey = Answer<"/api/admin/api-keys", "get">["data"][number];
export type ApiKeyCreated = Answer<"/api/admin/api-keys", "post", 201>;
export type AuditEntry = Answer<"/api/admin/audit-logs", "get">["data"][number];
export type LoginEntry = Answer<"/api/admin/login-history", "get">["data"][number];
export type Prefix = Answer<"/api/admin/phone-prefixes", "get">["data"][number];
export type Team = Answer<"/api/admin/teams", "get">["data"][number];
export type OutboxMessage = Answer<"/api/admin/email-outbox", "get">["data"][number];
export type Role = AdminUser["role"];
