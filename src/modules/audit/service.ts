import type { DbOrTx } from "../../db/client.js";
import { auditLogs } from "../../db/schema/index.js";

export interface AuditContext {
  actorId?: string | null;
  actorType?: "user" | "api_key" | "system";
  ip?: string | null;
  requestId?: string | null;
}

export interface AuditEntry {
  action: string;
  entityType?: string;
  entityId?: string | null;
  /** Never secrets: no password, code or token ever goes here. */
  details?: Record<string, unknown>;
}

/**
 * Appends one entry to the audit log (seed 002 create_audit_log). Call it inside the transaction
 * of the change it describes, so the trail and the data cannot disagree.
 */
export async function recordAudit(db: DbOrTx, context: AuditContext, entry: AuditEntry): Promise<void> {
  await db.insert(auditLogs).values(auditValues(context, entry));
}

/** The audit row of an entry, for a statement that writes it together with the change (post-call). */
export function auditValues(context: AuditContext, entry: AuditEntry) {
  return {
    actorId: context.actorId ?? null,
    actorType: context.actorType ?? (context.actorId ? "user" : "system"),
    action: entry.action,
    entityType: entry.entityType ?? null,
    entityId: entry.entityId ?? null,
    details: entry.details ?? {},
    ip: context.ip ?? null,
    requestId: context.requestId ?? null,
  } satisfies typeof auditLogs.$inferInsert;
}
