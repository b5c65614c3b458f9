import { and, desc, eq, gte, inArray, like, lt, notInArray, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { auditLogs, loginHistory, users } from "../../db/schema/index.js";
import { belowId } from "../../lib/pagination.js";

/**
 * The audit log has no success column: an entry records what happened. The entries whose action
 * records a refused or failed attempt are these; `success=false` lists them and `success=true` the
 * rest (things done). A new action of that kind is added here.
 */
export const FAILURE_ACTIONS = [
  "access.denied",
  "auth.login_failed",
  "auth.refresh_reuse_detected",
  "auth.register_duplicate",
  "auth.register_refused",
  "email.delivery_failed",
  "otp.blocked",
  "otp.request_limited",
  "otp.request_mismatch",
] as const;

export const isSuccessAction = (action: string) => !(FAILURE_ACTIONS as readonly string[]).includes(action);

export interface AuditFilter {
  success?: boolean;
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  from?: string;
  to?: string;
}

export function auditConditions(f: AuditFilter): (SQL | undefined)[] {
  return [
    f.actor ? eq(auditLogs.actorId, f.actor) : undefined,
    // "auth.*" lists a family of actions.
    f.action
      ? f.action.endsWith(".*")
        ? like(auditLogs.action, `${f.action.slice(0, -1)}%`)
        : eq(auditLogs.action, f.action)
      : undefined,
    f.success === undefined
      ? undefined
      : f.success
        ? notInArray(auditLogs.action, [...FAILURE_ACTIONS])
        : inArray(auditLogs.action, [...FAILURE_ACTIONS]),
    f.entityType ? eq(auditLogs.entityType, f.entityType) : undefined,
    f.entityId ? eq(auditLogs.entityId, f.entityId) : undefined,
    f.from ? gte(auditLogs.createdAt, new Date(f.from)) : undefined,
    f.to ? lt(auditLogs.createdAt, new Date(f.to)) : undefined,
  ];
}

/** Newest first by id (ids grow with time), `beforeId` for the next page. */
export async function listAudit(db: DbOrTx, f: AuditFilter, limit: number, beforeId?: number) {
  return db
    .select()
    .from(auditLogs)
    .where(and(...auditConditions(f), belowId(auditLogs.id, beforeId)))
    .orderBy(desc(auditLogs.id))
    .limit(limit);
}

export interface LoginFilter {
  user?: string;
  success?: boolean;
  ip?: string;
  from?: string;
  to?: string;
}

export async function listLogins(db: DbOrTx, f: LoginFilter, limit: number, beforeId?: number) {
  return db
    .select()
    .from(loginHistory)
    .where(
      and(
        f.user ? eq(loginHistory.userId, f.user) : undefined,
        f.success === undefined ? undefined : eq(loginHistory.success, f.success),
        f.ip ? eq(loginHistory.ip, f.ip) : undefined,
        f.from ? gte(loginHistory.createdAt, new Date(f.from)) : undefined,
        f.to ? lt(loginHistory.createdAt, new Date(f.to)) : undefined,
        belowId(loginHistory.id, beforeId),
      ),
    )
    .orderBy(desc(loginHistory.id))
    .limit(limit);
}

/**
 * Who made an entity's newest audited change: with the record's updatedAt, a version conflict says
 * "changed by X at 10:42" instead of only "changed by someone else".
 */
export async function lastChange(db: DbOrTx, entityType: string, entityId: string) {
  const [row] = await db
    .select({ id: auditLogs.actorId, name: users.name })
    .from(auditLogs)
    .leftJoin(users, eq(users.id, auditLogs.actorId))
    .where(and(eq(auditLogs.entityType, entityType), eq(auditLogs.entityId, entityId)))
    .orderBy(desc(auditLogs.id))
    .limit(1);
  return row ? { id: row.id ?? null, name: row.name ?? null } : null;
}
