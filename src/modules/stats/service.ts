import { sql } from "drizzle-orm";
import { queryRows, toNumber } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
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
