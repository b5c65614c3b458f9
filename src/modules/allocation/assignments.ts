import { type SQL, sql } from "drizzle-orm";
import type { Static } from "typebox";
import { queryRows, toNumber } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { customerFilterCondition } from "../customers/repository.js";
import type { AssignmentBody } from "./admin-schemas.js";
import { invalidateRankings } from "./candidates.js";

type Input = Static<typeof AssignmentBody>;
const bad = (path: string, message: string) =>
  new AppError("VALIDATION_ERROR", `${path.slice(1)} ${message}`, { details: [{ path, message }] });

/** The agents a team's customers are spread over: active, not locked, role agent; in a stable order. */
async function teamAgents(services: Services, teamId: string) {
  return queryRows<{ id: string }>(
    services.db,
    sql`select id from users where team_id = ${teamId}::uuid and role = 'agent' and is_active and admin_locked_at is null order by id`,
  );
}

/** Where each selected customer goes: new agent and team as SQL over `sel` (and `a`, the agent slot). */
async function targetOf(services: Services, input: Input): Promise<{ agent: SQL; team: SQL; agents?: string[] }> {
  if (input.unassign) return { agent: sql`null::uuid`, team: sql`null::uuid` };
  const to = input.to!;
  if (to.agentId) {
    const [agent] = await queryRows<{ id: string; team_id: string | null }>(
      services.db,
      sql`select id, team_id from users where id = ${to.agentId}::uuid and is_active and admin_locked_at is null`,
    );
    if (!agent) throw bad("/to/agentId", "is not an active user");
    // The customer follows the agent into their team, so the team's view of its portfolio stays whole.
    return { agent: sql`${agent.id}::uuid`, team: sql`${agent.team_id}::uuid` };
  }
  const [team] = await queryRows<{ id: string }>(services.db, sql`select id from teams where id = ${to.teamId}::uuid`);
  if (!team) throw bad("/to/teamId", "is not a team");
  if (input.strategy === "to_one") return { agent: sql`null::uuid`, team: sql`${team.id}::uuid` };
  const agents = (await teamAgents(services, team.id)).map((a) => a.id);
  if (agents.length === 0) throw bad("/to/teamId", "has no active agent to spread customers over");
  return { agent: sql`a.id`, team: sql`${team.id}::uuid`, agents };
}

/**
 * `POST /api/admin/assignments`: one set-based statement selects the customers (ids or the customer
 * list's filters), computes each one's new owner and, unless it is a dry run, updates them and writes
 * one `customer.assigned` audit entry per changed customer with the old and new owner. Owners live in
 * `customer_assignments` (an upsert; unassigning deletes the row), so the customer rows, their
 * version and their indexes are not touched.
 *
 * round_robin deals customers (largest overdue first) to the team's agents in turn; balance_amount
 * deals them in a snake order (1…n, n…1, …) over the same ranking, which evens out the totals
 * overdue as well as the counts.
 */
export async function assignCustomers(services: Services, input: Input, dryRun: boolean, ctx: RequestContext) {
  if ((input.customerIds === undefined) === (input.filter === undefined))
    throw bad("/customerIds", "or filter is required (not both)");
  if ((input.to === undefined) === !input.unassign) throw bad("/to", "or unassign: true is required (not both)");
  if (input.to && (input.to.agentId === undefined) === (input.to.teamId === undefined))
    throw bad("/to", "needs exactly one of agentId and teamId");
  const strategy = input.strategy ?? "to_one";
  if (strategy !== "to_one" && !input.to?.teamId)
    throw bad("/strategy", `${strategy} spreads over a team's agents: give to.teamId`);

  const now = services.clock.now();
  const target = await targetOf(services, { ...input, strategy });
  const where = input.customerIds
    ? sql`customers.id = any(${sql.param(input.customerIds)}::uuid[])`
    : (customerFilterCondition({ ...input.filter, now }) ?? sql`true`);
  const n = target.agents?.length ?? 1;
  const slot =
    strategy === "balance_amount"
      ? sql`case when (sel.rn / ${n}) % 2 = 0 then sel.rn % ${n} else ${n} - 1 - sel.rn % ${n} end`
      : sql`sel.rn % ${n}`;
  const agentsTable = target.agents
    ? sql`select id, ord - 1 as k from unnest(${sql.param(target.agents)}::uuid[]) with ordinality as x(id, ord)`
    : sql`select null::uuid as id, 0::bigint as k`;

  const base = sql`
    sel as (
      select customers.id, customers.total_overdue, ca.assigned_agent_id as old_agent, ca.assigned_team_id as old_team,
             row_number() over (order by customers.total_overdue desc, customers.id) - 1 as rn
        from customers left join customer_assignments ca on ca.customer_id = customers.id where ${where}
    ),
    a as (${agentsTable}),
    target as (
      select sel.id, sel.total_overdue, sel.old_agent, sel.old_team, ${target.agent} as new_agent, ${target.team} as new_team
        from sel left join a on a.k = ${slot}
    )`;
  const write = dryRun
    ? sql`, upd as (select id from target where false)`
    : sql`,
    changed as (
      select * from target t where t.old_agent is distinct from t.new_agent or t.old_team is distinct from t.new_team
    ),
    owned as (
      insert into customer_assignments as ca (customer_id, assigned_agent_id, assigned_team_id, assigned_at, assigned_by)
      select id, new_agent, new_team, ${now.toISOString()}::timestamptz, ${ctx.actorId ?? null}::uuid
        from changed where new_agent is not null or new_team is not null
      on conflict (customer_id) do update set assigned_agent_id = excluded.assigned_agent_id, assigned_team_id = excluded.assigned_team_id,
             assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by
      returning ca.customer_id as id
    ),
    freed as (
      delete from customer_assignments ca using changed
       where ca.customer_id = changed.id and changed.new_agent is null and changed.new_team is null
      returning ca.customer_id as id
    ),
    upd as (
      select changed.id, changed.old_agent, changed.old_team, changed.new_agent, changed.new_team
        from changed where changed.id in (select id from owned union all select id from freed)
    ),
    aud as (
      insert into audit_logs (actor_id, actor_type, action, entity_type, entity_id, details, ip, request_id)
      select ${ctx.actorId ?? null}::uuid, ${ctx.actorType ?? "user"}, 'customer.assigned', 'customer', upd.id::text,
             jsonb_build_object('from', jsonb_build_object('agentId', upd.old_agent, 'teamId', upd.old_team),
                                'to', jsonb_build_object('agentId', upd.new_agent, 'teamId', upd.new_team), 'strategy', ${strategy}::text),
             ${ctx.ip ?? null}, ${ctx.requestId ?? null}
        from upd
    )`;
  const rows = await queryRows<{
    agent_id: string | null;
    team_id: string | null;
    customers: unknown;
    total_overdue: string;
    changed: unknown;
  }>(
    services.db,
    sql`with ${base}${write}
        select new_agent as agent_id, new_team as team_id, count(*) as customers, coalesce(sum(total_overdue), 0)::text as total_overdue,
               (select count(*) from target where old_agent is distinct from new_agent or old_team is distinct from new_team) as changed
          from target group by new_agent, new_team order by new_agent nulls first`,
  );
  if (!dryRun) invalidateRankings(services);
  const matched = rows.reduce((s, r) => s + toNumber(r.customers), 0);
  return {
    dryRun,
    strategy,
    matched,
    /** Customers whose owner changes (or would, in a dry run). */
    changed: toNumber(rows[0]?.changed),
    owners: rows.map((r) => ({
      agentId: r.agent_id,
      teamId: r.team_id,
      customers: toNumber(r.customers),
      totalOverdue: r.total_overdue,
    })),
  };
}
