import { type SQL, sql } from "drizzle-orm";
import type { Services } from "../../services.js";
import { DEFAULT_TIMEZONE, todayIn } from "../loans/arrears.js";
import { eligibilityColumns } from "../calling/eligibility-row.js";

/**
 * Where an agent's calls come from: their own customers, then their team's unowned ones, then the
 * unowned pool (ALLOCATION_POOL says how far to go).
 */
export type PoolKind = "own" | "team" | "unowned";
export interface Pool {
  kind: PoolKind;
  /** The agent's id (own) or the team's id (team); null for the unowned pool. */
  id: string | null;
}

export function poolsFor(services: Services, agent: { id: string; teamId: string | null }): Pool[] {
  const setting = services.config.ALLOCATION_POOL;
  const pools: Pool[] = [{ kind: "own", id: agent.id }];
  if (setting !== "own" && agent.teamId) pools.push({ kind: "team", id: agent.teamId });
  if (setting === "all") pools.push({ kind: "unowned", id: null });
  return pools;
}

/** The SQL condition on `customers c` for one pool (owners are in `customer_assignments`). */
export function poolCondition(pool: Pool): SQL {
  if (pool.kind === "own")
    return sql`c.id in (select ca.customer_id from customer_assignments ca where ca.assigned_agent_id = ${pool.id}::uuid)`;
  if (pool.kind === "team")
    return sql`c.id in (select ca.customer_id from customer_assignments ca
                         where ca.assigned_team_id = ${pool.id}::uuid and ca.assigned_agent_id is null)`;
  return sql`not exists (select 1 from customer_assignments ca where ca.customer_id = c.id
                          and (ca.assigned_agent_id is not null or ca.assigned_team_id is not null))`;
}

/** How many ranked customers a pool keeps; enough for a floor of agents for the TTL below. */
const RANKED_PER_POOL = 3000;
const FOLLOW_UPS_PER_POOL = 300;
/**
 * Ranking every owing customer on each request is what made the worklist slow; a pool's ranking is the
 * same for every agent drawing on it, so it is kept for a few seconds. Who is callable and who is
 * claimed is still decided per request, from current data.
 */
const RANKING_TTL_MS = 10_000;

interface Ranking {
  ids: string[];
  until: number;
  /** Customers found not callable since the ranking was taken: not evaluated again until it expires. */
  blocked: Set<string>;
}

const rankings = new WeakMap<Services, Map<string, { ranking: Promise<Ranking>; until: number }>>();

/** Assignments change pools: their rankings are dropped at once on this instance. */
export function invalidateRankings(services: Services) {
  rankings.get(services)?.clear();
}

async function rankPool(services: Services, pool: Pool, now: Date): Promise<string[]> {
  const at = now.toISOString();
  const today = todayIn(DEFAULT_TIMEZONE, now);
  const cond = poolCondition(pool);
  const run = services.queryNamed;
  // Due callbacks, then promises broken in the last 7 days not yet chased, then days past due ×
  // amount overdue: the worklist's order, restricted to the pool.
  const [callbacks, broken, overdue] = await Promise.all([
    run<{ id: string }>(
      `alloc_callbacks_${pool.kind}`,
      sql`select i.customer_id as id from customer_interactions i join customers c on c.id = i.customer_id
          where i.callback_at is not null and i.callback_at <= ${at}::timestamptz and i.callback_at > ${at}::timestamptz - interval '7 days'
            and c.total_overdue > 0 and ${cond}
          group by i.customer_id
          having not exists (select 1 from customer_interactions j where j.customer_id = i.customer_id and j.channel = 'call'
                               and j.direction = 'outbound' and j.started_at >= max(i.callback_at))
          order by max(i.callback_at) limit ${FOLLOW_UPS_PER_POOL}`,
    ),
    run<{ id: string }>(
      `alloc_broken_${pool.kind}`,
      sql`select p.customer_id as id from payment_promises p join customers c on c.id = p.customer_id
          where p.status = 'broken' and p.resolved_at > ${at}::timestamptz - interval '7 days' and c.total_overdue > 0 and ${cond}
          group by p.customer_id
          having not exists (select 1 from customer_interactions j where j.customer_id = p.customer_id and j.channel = 'call'
                               and j.direction = 'outbound' and j.started_at >= max(p.resolved_at))
          order by max(p.resolved_at) desc limit ${FOLLOW_UPS_PER_POOL}`,
    ),
    run<{ id: string }>(
      `alloc_overdue_${pool.kind}`,
      sql`select c.id from customers c
          where c.total_overdue > 0 and not c.do_not_call and c.oldest_due_date is not null and ${cond}
          order by (${today}::date - c.oldest_due_date) * c.total_overdue desc, c.id
          limit ${RANKED_PER_POOL}`,
    ),
  ]);
  return [...new Set([...callbacks, ...broken, ...overdue].map((r) => r.id))];
}

export async function rankingOf(services: Services, pool: Pool, now: Date): Promise<Ranking> {
  let cache = rankings.get(services);
  if (!cache) {
    cache = new Map();
    rankings.set(services, cache);
  }
  const key = `${pool.kind}:${pool.id ?? ""}`;
  const t = now.getTime();
  const hit = cache.get(key);
  // A clock moved backwards (tests) invalidates too.
  if (hit && hit.until > t && t >= hit.until - RANKING_TTL_MS) return hit.ranking;
  // One computation per pool at a time: a floor of agents whose ranking expires together shares it
  // instead of each sorting the pool (measured: 50 concurrent sorts of 100,000 customers).
  const ranking = rankPool(services, pool, now).then((ids) => ({
    ids,
    until: t + RANKING_TTL_MS,
    blocked: new Set<string>(),
  }));
  if (cache.size > 500) cache.clear();
  cache.set(key, { ranking, until: t + RANKING_TTL_MS });
  ranking.catch(() => cache.delete(key));
  return ranking;
}

export interface CandidateRow {
  id: string;
  full_name: string;
  phone: string;
  alt_phone: string | null;
  timezone: string;
  do_not_call: boolean;
  total_overdue: string;
  pending_due: unknown;
  dispute_open: boolean;
  flagged: unknown;
  attempts: unknown;
  callback_at: string | Date | null;
  /** Someone holds a live (unexpired) claim on the customer. */
  claimed: boolean;
}

const candidateColumns = (at: string) =>
  sql`c.id, c.full_name, c.total_overdue::text as total_overdue, ${eligibilityColumns(at)}`;

/** The eligibility inputs of `ids`, in the given order, in one round trip (with who holds them). */
export async function loadCandidates(services: Services, ids: string[], now: Date): Promise<CandidateRow[]> {
  if (ids.length === 0) return [];
  const at = now.toISOString();
  return services.queryNamed<CandidateRow>(
    "alloc_candidates",
    sql`select ${candidateColumns(at)},
          exists (select 1 from call_claims k where k.customer_id = c.id and k.released_at is null and k.expires_at > ${at}::timestamptz) as claimed
        from unnest(${sql.param(ids)}::uuid[]) with ordinality as x(id, ord) join customers c on c.id = x.id
        order by x.ord`,
  );
}

/**
 * The first `limit` of `ids` (in order) that nobody holds and that are not do-not-call, with their
 * eligibility inputs: the cheap filters run first, so the history is read only for those returned.
 * `ord` (1-based position in `ids`) tells the caller how far into the window it got.
 */
export async function loadFreeCandidates(
  services: Services,
  ids: string[],
  now: Date,
  limit: number,
): Promise<(CandidateRow & { ord: number })[]> {
  if (ids.length === 0) return [];
  const at = now.toISOString();
  return services.queryNamed<CandidateRow & { ord: number }>(
    "alloc_free_candidates",
    sql`with picked as (
          select x.id, x.ord from unnest(${sql.param(ids)}::uuid[]) with ordinality as x(id, ord) join customers c on c.id = x.id
           where not c.do_not_call
             and not exists (select 1 from call_claims k where k.customer_id = x.id and k.released_at is null and k.expires_at > ${at}::timestamptz)
           order by x.ord limit ${limit}
        )
        select ${candidateColumns(at)}, false as claimed, picked.ord::int as ord
          from picked join customers c on c.id = picked.id
         order by picked.ord`,
  );
}

export { dialNumber, rowEligibility as candidateEligibility } from "../calling/eligibility-row.js";
