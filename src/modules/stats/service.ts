import { sql } from "drizzle-orm";
import { queryRows, toNumber } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import { formatMoney, fromCents, toCents } from "../../lib/money.js";
import type { Services } from "../../services.js";
import { autoLockedSql } from "../auth/lockouts.js";

const MAX_BUCKETS = 1000;

/** A [from, to) range from the query, defaulting to the `defaultDays` before now. */
export function resolveRange(now: Date, from: string | undefined, to: string | undefined, defaultDays: number) {
  const end = to ? new Date(to) : now;
  const start = from ? new Date(from) : new Date(end.getTime() - defaultDays * 86_400_000);
  if (start >= end) {
    throw new AppError("VALIDATION_ERROR", "`from` must be before `to`", {
      details: [{ path: "/from", message: "must be before to" }],
    });
  }
  return { start, end };
}

/** Seed 002 get_total_active_users, get_total_locked_users, get_active_sessions_count. */
export async function userStats(services: Services) {
  const { db, clock, config } = services;
  const now = clock.now();
  const at = now.toISOString();
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`select
      (select count(*) from users u where is_active and not (admin_locked_at is not null or ${autoLockedSql(sql`u.id`, now)})) as active,
      (select count(*) from users u where admin_locked_at is not null or ${autoLockedSql(sql`u.id`, now)}) as locked,
      (select count(*) from user_sessions where ended_at is null
         and last_activity_at > ${at}::timestamptz - make_interval(mins => ${config.SESSION_IDLE_MINUTES}::float8::int)
         and created_at > ${at}::timestamptz - make_interval(hours => ${config.SESSION_MAX_HOURS}::float8::int)) as sessions`,
  );
  return {
    totalActiveUsers: toNumber(r?.active),
    totalLockedUsers: toNumber(r?.locked),
    activeSessions: toNumber(r?.sessions),
  };
}

/** Seed 002 get_login_statistics: successes and failures per hour or day on the centre's clock. */
export async function loginStats(services: Services, q: { from?: string; to?: string; interval: "hour" | "day" }) {
  const { start, end } = resolveRange(services.clock.now(), q.from, q.to, 7);
  const buckets = (end.getTime() - start.getTime()) / (q.interval === "hour" ? 3_600_000 : 86_400_000);
  if (buckets > MAX_BUCKETS) {
    throw new AppError("VALIDATION_ERROR", `At most ${MAX_BUCKETS} ${q.interval}s per request`, {
      details: [{ path: "/from", message: "range too long for this interval" }],
    });
  }
  const tz = services.config.CENTRE_TIMEZONE;
  const rows = await queryRows<{ period: string; successes: unknown; failures: unknown }>(
    services.db,
    sql`select to_char(date_trunc(${q.interval}, created_at at time zone ${tz}), 'YYYY-MM-DD"T"HH24:MI:SS') as period,
               count(*) filter (where success) as successes, count(*) filter (where not success) as failures
        from login_history where created_at >= ${start.toISOString()}::timestamptz and created_at < ${end.toISOString()}::timestamptz
        group by 1 order by 1`,
  );
  const data = rows.map((r) => ({
    periodStart: r.period,
    successes: toNumber(r.successes),
    failures: toNumber(r.failures),
  }));
  const total = data.reduce(
    (acc, r) => ({ successes: acc.successes + r.successes, failures: acc.failures + r.failures }),
    { successes: 0, failures: 0 },
  );
  return { from: start.toISOString(), to: end.toISOString(), interval: q.interval, timezone: tz, data, total };
}

/** Seed 002 get_most_active_users: by successful sign-ins, then calls logged. */
export async function mostActiveUsers(services: Services, q: { days: number; limit: number }) {
  const at = services.clock.now().toISOString();
  const rows = await queryRows<Record<string, unknown>>(
    services.db,
    sql`select u.id, u.name, u.email, u.role,
          (select count(*) from login_history h where h.user_id = u.id and h.success and h.created_at > ${at}::timestamptz - make_interval(days => ${q.days})) as logins,
          (select count(*) from customer_interactions i where i.agent_id = u.id and i.created_at > ${at}::timestamptz - make_interval(days => ${q.days})) as interactions
        from users u
        order by logins desc, interactions desc, u.name
        limit ${q.limit}`,
  );
  return {
    days: q.days,
    data: rows
      .map((r) => ({
        userId: String(r.id),
        name: String(r.name),
        email: String(r.email),
        role: String(r.role),
        logins: toNumber(r.logins),
        interactions: toNumber(r.interactions),
      }))
      .filter((r) => r.logins > 0 || r.interactions > 0),
  };
}

/**
 * What a supervisor reviews after a shift: calls, contacts and right-party contacts (by the
 * dispositions' flags), promises made / kept / broken with amounts, and money collected, overall,
 * per disposition and per agent.
 */
export async function collectionStats(services: Services, q: { from?: string; to?: string }) {
  const { start, end } = resolveRange(services.clock.now(), q.from, q.to, 1);
  const range = sql`${start.toISOString()}::timestamptz and ${end.toISOString()}::timestamptz`;
  const calls = await queryRows<Record<string, unknown>>(
    services.db,
    sql`select i.agent_id, u.name as agent_name, i.disposition,
               count(*) as calls,
               count(*) filter (where d.contacted) as contacts,
               count(*) filter (where d.right_party_contact) as rpc
        from customer_interactions i
        left join dispositions d on d.code = i.disposition
        left join users u on u.id = i.agent_id
        where i.channel = 'call' and i.started_at >= ${start.toISOString()}::timestamptz and i.started_at < ${end.toISOString()}::timestamptz
        group by i.agent_id, u.name, i.disposition`,
  );
  const promises = await queryRows<Record<string, unknown>>(
    services.db,
    sql`select p.created_by as agent_id,
               count(*) filter (where p.created_at between ${range}) as made,
               coalesce(sum(p.amount) filter (where p.created_at between ${range}), 0)::text as made_amount,
               count(*) filter (where p.status = 'kept' and p.resolved_at between ${range}) as kept,
               coalesce(sum(p.amount) filter (where p.status = 'kept' and p.resolved_at between ${range}), 0)::text as kept_amount,
               count(*) filter (where p.status = 'broken' and p.resolved_at between ${range}) as broken,
               coalesce(sum(p.amount) filter (where p.status = 'broken' and p.resolved_at between ${range}), 0)::text as broken_amount
        from payment_promises p
        where p.created_at between ${range} or p.resolved_at between ${range}
        group by p.created_by`,
  );
  const [collected] = await queryRows<{ amount: string; payments: unknown }>(
    services.db,
    sql`select coalesce(sum(amount), 0)::text as amount, count(*) as payments from payments
        where paid_at >= ${start.toISOString()}::timestamptz and paid_at < ${end.toISOString()}::timestamptz`,
  );
  return assemble(start, end, calls, promises, collected);
}

type Row = Record<string, unknown>;

function assemble(
  start: Date,
  end: Date,
  calls: Row[],
  promises: Row[],
  collected: { amount: string; payments: unknown } | undefined,
) {
  const cents = (v: unknown) => toCents(String(v ?? "0"));
  const money = fromCents;
  const emptyPromises = () => ({ made: 0, madeAmount: 0n, kept: 0, keptAmount: 0n, broken: 0, brokenAmount: 0n });
  const byAgent = new Map<
    string,
    {
      agentId: string | null;
      agentName: string | null;
      calls: number;
      contacts: number;
      rightPartyContacts: number;
      p: ReturnType<typeof emptyPromises>;
    }
  >();
  const agentEntry = (id: unknown, name: unknown) => {
    const key = String(id ?? "integration");
    let e = byAgent.get(key);
    if (!e) {
      e = {
        agentId: (id as string | null) ?? null,
        agentName: (name as string | null) ?? null,
        calls: 0,
        contacts: 0,
        rightPartyContacts: 0,
        p: emptyPromises(),
      };
      byAgent.set(key, e);
    }
    if (name && !e.agentName) e.agentName = String(name);
    return e;
  };
  const byDisposition = new Map<
    string,
    { disposition: string; calls: number; contacts: number; rightPartyContacts: number }
  >();
  for (const r of calls) {
    const n = { calls: toNumber(r.calls), contacts: toNumber(r.contacts), rpc: toNumber(r.rpc) };
    const a = agentEntry(r.agent_id, r.agent_name);
    a.calls += n.calls;
    a.contacts += n.contacts;
    a.rightPartyContacts += n.rpc;
    const key = String(r.disposition ?? "none");
    const d = byDisposition.get(key) ?? { disposition: key, calls: 0, contacts: 0, rightPartyContacts: 0 };
    d.calls += n.calls;
    d.contacts += n.contacts;
    d.rightPartyContacts += n.rpc;
    byDisposition.set(key, d);
  }
  const totals = emptyPromises();
  for (const r of promises) {
    const a = agentEntry(r.agent_id, null).p;
    const add = {
      made: toNumber(r.made),
      madeAmount: cents(r.made_amount),
      kept: toNumber(r.kept),
      keptAmount: cents(r.kept_amount),
      broken: toNumber(r.broken),
      brokenAmount: cents(r.broken_amount),
    };
    for (const target of [a, totals]) {
      target.made += add.made;
      target.madeAmount += add.madeAmount;
      target.kept += add.kept;
      target.keptAmount += add.keptAmount;
      target.broken += add.broken;
      target.brokenAmount += add.brokenAmount;
    }
  }
  const promiseView = (p: ReturnType<typeof emptyPromises>) => ({
    promisesMade: p.made,
    promisesMadeAmount: money(p.madeAmount),
    promisesKept: p.kept,
    promisesKeptAmount: money(p.keptAmount),
    promisesBroken: p.broken,
    promisesBrokenAmount: money(p.brokenAmount),
  });
  const agents = [...byAgent.values()];
  return {
    from: start.toISOString(),
    to: end.toISOString(),
    totals: {
      calls: agents.reduce((s, a) => s + a.calls, 0),
      contacts: agents.reduce((s, a) => s + a.contacts, 0),
      rightPartyContacts: agents.reduce((s, a) => s + a.rightPartyContacts, 0),
      ...promiseView(totals),
      amountCollected: formatMoney(collected?.amount ?? "0"),
      payments: toNumber(collected?.payments),
    },
    byDisposition: [...byDisposition.values()].sort((a, b) => b.calls - a.calls),
    byAgent: agents
      .map((a) => ({
        agentId: a.agentId,
        agentName: a.agentName,
        calls: a.calls,
        contacts: a.contacts,
        rightPartyContacts: a.rightPartyContacts,
        ...promiseView(a.p),
      }))
      .sort((a, b) => b.calls - a.calls),
  };
}
