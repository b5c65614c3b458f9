import { sql } from "drizzle-orm";
import { queryRows, toNumber } from "../../db/client.js";
import type { Services } from "../../services.js";
import { callRulesFrom } from "../calling/eligibility.js";
import { localParts, zonedTime } from "../../lib/zoned-time.js";
import { candidateEligibility, loadCandidates } from "./candidates.js";

const iso = (v: Date | string) => new Date(v).toISOString();

/** `GET /api/admin/claims`: who holds which customer now, since when, until when. */
export async function liveBoard(services: Services, teamId: string | undefined) {
  const at = services.clock.now().toISOString();
  const rows = await queryRows<Record<string, string | Date | null>>(
    services.db,
    sql`select k.customer_id, c.full_name, k.user_id, u.name as user_name, u.team_id, k.api_key_id, a.name as key_name, k.batch_id, k.claimed_at, k.expires_at
          from call_claims k join customers c on c.id = k.customer_id
          left join customer_assignments ca on ca.customer_id = k.customer_id
          left join users u on u.id = k.user_id left join api_keys a on a.id = k.api_key_id
         where k.released_at is null and k.expires_at > ${at}::timestamptz
           ${teamId ? sql`and (u.team_id = ${teamId}::uuid or ca.assigned_team_id = ${teamId}::uuid)` : sql``}
         order by k.claimed_at, k.customer_id limit 5000`,
  );
  return {
    data: rows.map((r) => ({
      customerId: r.customer_id as string,
      customerName: r.full_name as string,
      holder: r.user_id
        ? {
            type: "user" as const,
            id: r.user_id as string,
            name: r.user_name as string,
            teamId: (r.team_id as string | null) ?? null,
          }
        : { type: "api_key" as const, id: r.api_key_id as string, name: r.key_name as string, teamId: null },
      batchId: (r.batch_id as string | null) ?? null,
      claimedAt: iso(r.claimed_at!),
      expiresAt: iso(r.expires_at!),
    })),
    generatedAt: at,
  };
}

/** Customers whose "callable now" the summary evaluates at most (the rule function runs per customer). */
const SUMMARY_EVALUATION_CAP = 20_000;

/**
 * `GET /api/admin/assignments/summary`: per agent and per team, customers owned, total overdue,
 * callable now (the eligibility rules, over at most SUMMARY_EVALUATION_CAP owned owing customers),
 * live claims, calls and skips since the start of the centre's day.
 */
export async function assignmentSummary(services: Services) {
  const { db, config, clock } = services;
  const now = clock.now();
  const at = now.toISOString();
  const dayStart = zonedTime(localParts(now, config.CENTRE_TIMEZONE).date, 0, config.CENTRE_TIMEZONE).toISOString();
  const agents = await queryRows<Record<string, unknown>>(
    db,
    sql`with owned as (
          select ca.assigned_agent_id as id, count(*) as customers, coalesce(sum(c.total_overdue), 0)::text as total_overdue
            from customer_assignments ca join customers c on c.id = ca.customer_id
           where ca.assigned_agent_id is not null group by ca.assigned_agent_id
        )
        select u.id, u.name, u.team_id, coalesce(o.customers, 0) as customers, coalesce(o.total_overdue, '0.00') as total_overdue,
          (select count(*) from call_claims k where k.user_id = u.id and k.released_at is null and k.expires_at > ${at}::timestamptz) as claims_live,
          (select count(*) from customer_interactions i where i.agent_id = u.id and i.channel = 'call' and i.started_at >= ${dayStart}::timestamptz) as calls_today,
          (select count(*) from call_claims k where k.user_id = u.id and k.release_reason = 'skipped' and k.released_at >= ${dayStart}::timestamptz) as skips_today,
          exists (select 1 from user_sessions s where s.user_id = u.id and s.ended_at is null
                   and s.last_activity_at > ${at}::timestamptz - make_interval(mins => ${config.SESSION_IDLE_MINUTES}::float8::int)
                   and s.created_at > ${at}::timestamptz - make_interval(hours => ${config.SESSION_MAX_HOURS}::float8::int)) as signed_in
        from users u left join owned o on o.id = u.id
        where u.role = 'agent' or o.id is not null
        order by u.name, u.id`,
  );
  const teams = await queryRows<Record<string, unknown>>(
    db,
    sql`select t.id, t.name, count(c.id) as customers, coalesce(sum(c.total_overdue), 0)::text as total_overdue
          from teams t left join customer_assignments ca on ca.assigned_team_id = t.id left join customers c on c.id = ca.customer_id
         group by t.id, t.name order by t.name`,
  );

  // Callable now, with the one rule function, over the owned owing customers.
  const owned = await queryRows<{ id: string; agent: string | null; team: string | null }>(
    db,
    sql`select c.id, ca.assigned_agent_id as agent, ca.assigned_team_id as team
          from customer_assignments ca join customers c on c.id = ca.customer_id
         where (ca.assigned_agent_id is not null or ca.assigned_team_id is not null) and c.total_overdue > 0 and not c.do_not_call
         limit ${SUMMARY_EVALUATION_CAP}`,
  );
  const rules = callRulesFrom(config);
  const callableByAgent = new Map<string, number>();
  const callableByTeam = new Map<string, number>();
  const ownerOf = new Map(owned.map((o) => [o.id, o]));
  for (let i = 0; i < owned.length; i += 2000) {
    for (const row of await loadCandidates(
      services,
      owned.slice(i, i + 2000).map((o) => o.id),
      now,
    )) {
      if (!candidateEligibility(row, now, rules).canCall) continue;
      const o = ownerOf.get(row.id)!;
      if (o.agent) callableByAgent.set(o.agent, (callableByAgent.get(o.agent) ?? 0) + 1);
      if (o.team) callableByTeam.set(o.team, (callableByTeam.get(o.team) ?? 0) + 1);
    }
  }

  const agentViews = agents.map((a) => ({
    agentId: a.id as string,
    name: a.name as string,
    teamId: (a.team_id as string | null) ?? null,
    customers: toNumber(a.customers),
    totalOverdue: a.total_overdue as string,
    callableNow: callableByAgent.get(a.id as string) ?? 0,
    claimsLive: toNumber(a.claims_live),
    callsToday: toNumber(a.calls_today),
    skipsToday: toNumber(a.skips_today),
    signedIn: a.signed_in === true || a.signed_in === "t",
  }));
  const sum = (teamId: string, key: "claimsLive" | "callsToday" | "skipsToday") =>
    agentViews.filter((a) => a.teamId === teamId).reduce((s, a) => s + a[key], 0);
  return {
    agents: agentViews,
    teams: teams.map((t) => ({
      teamId: t.id as string,
      name: t.name as string,
      customers: toNumber(t.customers),
      totalOverdue: t.total_overdue as string,
      callableNow: callableByTeam.get(t.id as string) ?? 0,
      claimsLive: sum(t.id as string, "claimsLive"),
      callsToday: sum(t.id as string, "callsToday"),
      skipsToday: sum(t.id as string, "skipsToday"),
    })),
    evaluatedCustomers: owned.length,
    generatedAt: at,
  };
}
