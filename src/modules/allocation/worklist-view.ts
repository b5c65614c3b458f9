import { type SQL, sql } from "drizzle-orm";
import { queryRows } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import type { Services } from "../../services.js";
import { buildWorklist } from "../calling/worklist.js";
import { poolCondition, poolsFor } from "./candidates.js";

export interface RowOwner {
  /** Which of the caller's pools the customer is in: their own, their team's, or the unowned pool. */
  pool: "own" | "team" | "unowned" | "other";
  agentId: string | null;
  agentName: string | null;
  teamId: string | null;
  teamName: string | null;
  /** The caller holds the customer's live claim. */
  claimedByYou: boolean;
}

/** Decides which worklist candidates a caller may see, and says whose each one is. */
export type WorklistViewer = (ids: string[]) => Promise<Map<string, RowOwner>>;

/**
 * The worklist as the caller's own view: only what next-call could give them (an agent's pools; for an
 * integration key, every customer), never a customer someone else holds.
 */
export function worklistViewer(
  services: Services,
  caller: { userId: string | null; teamId: string | null; apiKeyId: string | null },
): WorklistViewer {
  const pools = caller.userId ? poolsFor(services, { id: caller.userId, teamId: caller.teamId }) : undefined;
  const inPools: SQL = pools
    ? sql.join(
        pools.map((p) => sql`(${poolCondition(p)})`),
        sql` or `,
      )
    : sql`true`;
  return async (ids) => {
    if (ids.length === 0) return new Map();
    const at = services.clock.now().toISOString();
    const rows = await services.queryNamed<{
      id: string;
      agent_id: string | null;
      agent_name: string | null;
      team_id: string | null;
      team_name: string | null;
      holder_user: string | null;
      holder_key: string | null;
      claimed: boolean;
    }>(
      caller.userId ? `alloc_worklist_view_${pools!.map((p) => p.kind).join("_")}` : "alloc_worklist_view_key",
      sql`select c.id, ca.assigned_agent_id as agent_id, u.name as agent_name, ca.assigned_team_id as team_id, t.name as team_name,
                 k.user_id as holder_user, k.api_key_id as holder_key, k.id is not null as claimed
            from customers c left join customer_assignments ca on ca.customer_id = c.id
            left join users u on u.id = ca.assigned_agent_id left join teams t on t.id = ca.assigned_team_id
            left join call_claims k on k.customer_id = c.id and k.released_at is null and k.expires_at > ${at}::timestamptz
           where c.id = any(${sql.param(ids)}::uuid[]) and (${inPools})`,
    );
    const admitted = new Map<string, RowOwner>();
    for (const r of rows) {
      const mine =
        (caller.userId !== null && r.holder_user === caller.userId) ||
        (caller.apiKeyId !== null && r.holder_key === caller.apiKeyId);
      if (r.claimed && !mine) continue;
      const pool = r.agent_id
        ? r.agent_id === caller.userId
          ? "own"
          : "other"
        : r.team_id
          ? caller.userId && r.team_id === caller.teamId
            ? "team"
            : "other"
          : "unowned";
      admitted.set(r.id, {
        pool,
        agentId: r.agent_id,
        agentName: r.agent_name,
        teamId: r.team_id,
        teamName: r.team_name,
        claimedByYou: Boolean(r.claimed && mine),
      });
    }
    return admitted;
  };
}

/** A supervisor's preview of a team's worklist: the team's customers (its agents' and its pool), none held now. */
function teamWorklistViewer(services: Services, teamId: string): WorklistViewer {
  return async (ids) => {
    if (ids.length === 0) return new Map();
    const at = services.clock.now().toISOString();
    const rows = await queryRows<{
      id: string;
      agent_id: string | null;
      agent_name: string | null;
      team_id: string;
      team_name: string;
    }>(
      services.db,
      sql`select c.id, ca.assigned_agent_id as agent_id, u.name as agent_name, ca.assigned_team_id as team_id, t.name as team_name
            from customers c join customer_assignments ca on ca.customer_id = c.id join teams t on t.id = ca.assigned_team_id
            left join users u on u.id = ca.assigned_agent_id
           where c.id = any(${sql.param(ids)}::uuid[]) and ca.assigned_team_id = ${teamId}::uuid
             and not exists (select 1 from call_claims k where k.customer_id = c.id and k.released_at is null and k.expires_at > ${at}::timestamptz)`,
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          pool: r.agent_id ? ("other" as const) : ("team" as const),
          agentId: r.agent_id,
          agentName: r.agent_name,
          teamId: r.team_id,
          teamName: r.team_name,
          claimedByYou: false,
        },
      ]),
    );
  };
}

/**
 * `GET /api/admin/worklist`: what an agent's next calls would be (their own view, as next-call sees
 * it), or a team's customers callable now, in worklist order; for supervisors planning the day.
 */
export async function previewWorklist(services: Services, q: { agentId?: string; teamId?: string; limit: number }) {
  if ((q.agentId === undefined) === (q.teamId === undefined))
    throw new AppError("VALIDATION_ERROR", "Give exactly one of agentId and teamId", {
      details: [{ path: "/agentId", message: "or teamId is required (not both)" }],
    });
  if (q.teamId) {
    const [team] = await queryRows<{ id: string }>(services.db, sql`select id from teams where id = ${q.teamId}::uuid`);
    if (!team) throw new AppError("NOT_FOUND", "Team not found");
    return buildWorklist(services, q.limit, teamWorklistViewer(services, q.teamId));
  }
  const [agent] = await queryRows<{ id: string; team_id: string | null }>(
    services.db,
    sql`select id, team_id from users where id = ${q.agentId}::uuid`,
  );
  if (!agent) throw new AppError("NOT_FOUND", "User not found");
  return buildWorklist(
    services,
    q.limit,
    worklistViewer(services, { userId: agent.id, teamId: agent.team_id, apiKeyId: null }),
  );
}
