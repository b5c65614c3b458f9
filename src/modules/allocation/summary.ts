import { type SQL, sql } from "drizzle-orm";
import { queryRows, toNumber } from "../../db/client.js";
import type { Services } from "../../services.js";
import { callRulesFrom } from "../calling/eligibility.js";
import { candidateEligibility, loadCandidates, type Pool, poolCondition, rankingOf } from "./candidates.js";

const EVALUATED_PER_CALL = 1000;

/**
 * What the pools hold when nothing is callable: how many owe, how many could be called now, what
 * blocks the rest (per eligibility reason, and CLAIMED for those another caller holds) and when the
 * first one clears. Reasons are counted over each pool's ranking (its top customers), with the one
 * rule function; `owing` counts every owing customer of the pools.
 */
export async function poolSummary(services: Services, pools: Pool[], now: Date) {
  const any: SQL = sql.join(
    pools.map((p) => sql`(${poolCondition(p)})`),
    sql` or `,
  );
  const [count] = await queryRows<{ n: unknown }>(
    services.db,
    sql`select count(*) as n from customers c where c.total_overdue > 0 and (${any})`,
  );
  const rules = callRulesFrom(services.config);
  const blocked: Record<string, number> = {};
  let callableNow = 0;
  let next: number | null = null;
  const seen = new Set<string>();
  for (const pool of pools) {
    const ids = (await rankingOf(services, pool, now)).ids.filter((id) => !seen.has(id));
    for (let i = 0; i < ids.length; i += EVALUATED_PER_CALL) {
      for (const row of await loadCandidates(services, ids.slice(i, i + EVALUATED_PER_CALL), now)) {
        seen.add(row.id);
        const e = candidateEligibility(row, now, rules);
        if (e.canCall && !row.claimed) callableNow += 1;
        if (row.claimed) blocked.CLAIMED = (blocked.CLAIMED ?? 0) + 1;
        for (const reason of e.reasons) blocked[reason] = (blocked[reason] ?? 0) + 1;
        if (e.nextEligibleAt && !row.claimed) {
          const t = new Date(e.nextEligibleAt).getTime();
          if (next === null || t < next) next = t;
        }
      }
    }
  }
  return {
    owing: toNumber(count?.n),
    callableNow,
    blocked,
    nextEligibleAt: next === null ? null : new Date(next).toISOString(),
  };
}
