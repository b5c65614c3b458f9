import { sql } from "drizzle-orm";
import { queryRows } from "../../db/client.js";
import { addSeconds } from "../../lib/clock.js";
import type { Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { DETECTORS, type DetectionWindow } from "./detectors.js";
import { FINDING_TYPES, type Finding, type SuspiciousReport } from "./schemas.js";

export const SUSPICIOUS_ACTIVITY_ACTION = "security.suspicious_activity";
const ENTITY_TYPE = "security";

export interface DetectionResult extends SuspiciousReport {
  /** Keys audited by this call: findings no earlier call had recorded. */
  recorded: string[];
}

const SEVERITY_RANK: Record<Finding["severity"], number> = { high: 0, medium: 1, low: 2 };

/** Most severe first, then by type and key, so the same data always gives the same list. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    FINDING_TYPES.indexOf(a.type) - FINDING_TYPES.indexOf(b.type) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/**
 * Writes each finding not yet in the audit log, once. Every key's advisory lock is taken (in sorted
 * order, so two callers cannot deadlock) before the existence check; a concurrent call waits, then
 * its check — a new statement under READ COMMITTED — sees the rows the first one committed.
 */
async function recordNewFindings(services: Services, findings: Finding[], requestId: string | null): Promise<string[]> {
  if (findings.length === 0) return [];
  const byKey = new Map(findings.map((f) => [f.key, f]));
  const keys = [...byKey.keys()].sort();
  return services.db.transaction(async (tx) => {
    for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
    const existing = await queryRows<{ entity_id: string }>(
      tx,
      sql`select entity_id from audit_logs
          where entity_type = ${ENTITY_TYPE} and action = ${SUSPICIOUS_ACTIVITY_ACTION}
            and entity_id in (${sql.join(
              keys.map((k) => sql`${k}`),
              sql`, `,
            )})`,
    );
    const seen = new Set(existing.map((r) => r.entity_id));
    const fresh = keys.filter((k) => !seen.has(k));
    for (const key of fresh) {
      await recordAudit(
        tx,
        { actorId: null, actorType: "system", requestId },
        { action: SUSPICIOUS_ACTIVITY_ACTION, entityType: ENTITY_TYPE, entityId: key, details: { ...byKey.get(key) } },
      );
    }
    return fresh;
  });
}

/**
 * Seed 002 detect_suspicious_activity over [now − hours, now]: runs every detector, then audits
 * the findings not seen before. Shared by the admin route and the CLI.
 */
export async function detectSuspiciousActivity(
  services: Services,
  hours: number,
  options: { requestId?: string } = {},
): Promise<DetectionResult> {
  const now = services.clock.now();
  const window: DetectionWindow = { from: addSeconds(now, -hours * 3600).toISOString(), to: now.toISOString() };
  const found = await Promise.all(DETECTORS.map((detect) => detect(services.db, services.config, window)));
  const findings = found.flat().sort(compareFindings);
  const recorded = await recordNewFindings(services, findings, options.requestId ?? null);
  return { ...window, findings, recorded };
}
