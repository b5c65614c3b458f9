import { type SQL, sql } from "drizzle-orm";
import type { Config } from "../../config.js";
import { type DbOrTx, queryRows, toNumber } from "../../db/client.js";
import { localParts } from "../../lib/zoned-time.js";
import type { Finding, FindingType } from "./schemas.js";

/** Audit action of a request refused with 403 to a signed-in caller (plugins/error-handler.ts). */
export const ACCESS_DENIED_ACTION = "access.denied";

/** The period searched, as ISO instants (bound as text and cast, like the other raw queries). */
export interface DetectionWindow {
  from: string;
  to: string;
}

type Row = Record<string, unknown>;
type Subject = Finding["subject"];

/** Timestamps come back as text from both engines (`pg` and PGlite alike); this makes them ISO. */
const iso = (value: unknown): string => new Date(value instanceof Date ? value : String(value)).toISOString();
const str = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

/** Drops absent fields so the subject (and the audit copy of it) has only what is known. */
function subject(fields: Subject): Subject {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Subject;
}

/**
 * `type:kind:value:date`, the date being the first event's day on the centre's calendar: a finding
 * seen again by a later call (or a longer window that still starts that day) keeps its key, so it
 * is audited once.
 */
function keyOf(type: FindingType, kind: string, value: string, firstSeenAt: string, config: Config): string {
  return `${type}:${kind}:${value}:${localParts(new Date(firstSeenAt), config.CENTRE_TIMEZONE).date}`;
}

const inWindow = (column: SQL, w: DetectionWindow) =>
  sql`${column} >= ${w.from}::timestamptz and ${column} <= ${w.to}::timestamptz`;

/** One IP failing on many different identifiers: a list of stolen credentials being tried. */
export async function credentialStuffing(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select ip, count(*) as failures, count(distinct identifier) as accounts,
               min(created_at)::text as first_at, max(created_at)::text as last_at
        from login_history
        where not success and ip is not null and ${inWindow(sql`created_at`, w)}
        group by ip
        having count(distinct identifier) >= ${config.SUSPICIOUS_IP_FAILED_ACCOUNTS}::int`,
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    return {
      type: "credential_stuffing",
      severity: "high",
      subject: { ip: String(r.ip) },
      evidence: { failures: toNumber(r.failures), distinctAccounts: toNumber(r.accounts) },
      firstSeenAt: first,
      lastSeenAt: iso(r.last_at),
      key: keyOf("credential_stuffing", "ip", String(r.ip), first, config),
    };
  });
}

/**
 * One account failing from many IPs: a botnet spreading guesses to stay under per-IP limits.
 * Failures on a known account carry its user_id whatever was typed (email or phone), so the
 * account is the user when there is one and the typed identifier otherwise.
 */
export async function distributedAttack(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select l.user_id, case when l.user_id is null then l.identifier end as identifier, u.email,
               count(*) as failures, count(distinct l.ip) as ips,
               min(l.created_at)::text as first_at, max(l.created_at)::text as last_at
        from login_history l left join users u on u.id = l.user_id
        where not l.success and l.ip is not null and ${inWindow(sql`l.created_at`, w)}
        group by 1, 2, 3
        having count(distinct l.ip) >= ${config.SUSPICIOUS_ACCOUNT_FAILED_IPS}::int`,
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    const userId = str(r.user_id);
    const identifier = str(r.identifier) ?? "";
    const typedEmail = !userId && identifier.includes("@");
    return {
      type: "distributed_attack",
      severity: "high",
      subject: subject({
        userId,
        email: str(r.email) ?? (typedEmail ? identifier : undefined),
        identifier: userId || typedEmail ? undefined : identifier,
      }),
      evidence: { failures: toNumber(r.failures), distinctIps: toNumber(r.ips) },
      firstSeenAt: first,
      lastSeenAt: iso(r.last_at),
      key: userId
        ? keyOf("distributed_attack", "user", userId, first, config)
        : keyOf("distributed_attack", "identifier", identifier, first, config),
    };
  });
}

/**
 * Many codes requested, or many requests blocked for wrong codes, per IP and per email, in one
 * pass: grouping sets give both groupings, and grouping(ip) tells which a row belongs to.
 */
export async function otpAbuse(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select * from (
          select event, grouping(ip) as by_email, ip, email, count(*) as events,
                 count(distinct email) as emails, count(distinct ip) as ips,
                 min(created_at)::text as first_at, max(created_at)::text as last_at
          from otp_logs
          where event in ('requested', 'blocked') and ${inWindow(sql`created_at`, w)}
          group by grouping sets ((event, ip), (event, email))
          having count(*) >= case when event = 'requested' then ${config.SUSPICIOUS_OTP_REQUESTS}::int
                                  else ${config.SUSPICIOUS_OTP_BLOCKED}::int end
        ) g
        where case when g.by_email = 1 then g.email is not null else g.ip is not null end`,
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    const type: FindingType = r.event === "requested" ? "otp_burst" : "otp_blocked";
    const count = type === "otp_burst" ? "requests" : "blocked";
    const byEmail = toNumber(r.by_email) === 1;
    const value = String(byEmail ? r.email : r.ip);
    return {
      type,
      severity: "medium",
      subject: byEmail ? { email: value } : { ip: value },
      evidence: byEmail
        ? { [count]: toNumber(r.events), distinctIps: toNumber(r.ips) }
        : { [count]: toNumber(r.events), distinctEmails: toNumber(r.emails) },
      firstSeenAt: first,
      lastSeenAt: iso(r.last_at),
      key: keyOf(type, byEmail ? "email" : "ip", value, first, config),
    };
  });
}

/** A refresh token presented twice means it was copied: every such event counts, per user. */
export async function refreshTokenReuse(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select a.actor_id as user_id, u.email, count(*) as events, count(distinct a.entity_id) as sessions,
               min(a.created_at)::text as first_at, max(a.created_at)::text as last_at
        from audit_logs a left join users u on u.id = a.actor_id
        where a.action = 'auth.refresh_reuse_detected' and a.actor_id is not null and ${inWindow(sql`a.created_at`, w)}
        group by a.actor_id, u.email`,
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    const userId = String(r.user_id);
    return {
      type: "refresh_token_reuse",
      severity: "high",
      subject: subject({ userId, email: str(r.email) }),
      evidence: { count: toNumber(r.events), sessions: toNumber(r.sessions) },
      firstSeenAt: first,
      lastSeenAt: iso(r.last_at),
      key: keyOf("refresh_token_reuse", "user", userId, first, config),
    };
  });
}

/**
 * A login that finally succeeded after a run of failures: a guessed password. `run` numbers the
 * attempts between successes (successes strictly before the row), so a success and the failures
 * just before it share one; the hour frame then counts those failures. Rows from an hour before
 * the window are read so a success near its start still sees its failures.
 */
export async function successAfterFailures(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const rows = await queryRows<Row>(
    db,
    sql`with scoped as (
          select id, user_id, identifier, success, ip, created_at, coalesce(user_id::text, identifier) as account
          from login_history
          where created_at >= ${w.from}::timestamptz - interval '1 hour' and created_at <= ${w.to}::timestamptz
        ), runs as (
          select *, count(*) filter (where success) over (partition by account order by created_at, id) - success::int as run
          from scoped
        ), framed as (
          select *,
                 count(*) filter (where not success) over last_hour as failures,
                 array_agg(ip) filter (where not success) over last_hour as failed_ips,
                 min(created_at) filter (where not success) over last_hour as first_failure
          from runs
          window last_hour as (partition by account, run order by created_at range between interval '1 hour' preceding and current row)
        )
        select f.user_id, f.identifier, u.email, f.ip, f.created_at::text as success_at, f.first_failure::text as first_at, f.failures,
               (select count(distinct x) from unnest(f.failed_ips) x) as ips,
               coalesce(cardinality(array_positions(f.failed_ips, f.ip)), 0) as same_ip
        from framed f left join users u on u.id = f.user_id
        where f.success and f.created_at >= ${w.from}::timestamptz and f.failures >= ${config.SUSPICIOUS_SUCCESS_AFTER_FAILURES}::int`,
  );
  return rows.map((r) => {
    const at = iso(r.success_at);
    const userId = str(r.user_id);
    const sameIp = toNumber(r.same_ip);
    return {
      type: "success_after_failures",
      // The same IP failing then succeeding is the guesser getting in; a different one may be the owner.
      severity: sameIp > 0 ? "high" : "medium",
      subject: subject({ userId, email: str(r.email) ?? (userId ? undefined : str(r.identifier)), ip: str(r.ip) }),
      evidence: { failures: toNumber(r.failures), distinctIps: toNumber(r.ips), failuresFromSuccessIp: sameIp },
      firstSeenAt: iso(r.first_at),
      lastSeenAt: at,
      // One finding per successful login, so the key is that login's instant.
      key: `success_after_failures:${userId ? `user:${userId}` : `identifier:${String(r.identifier)}`}:${at}`,
    };
  });
}

/** SHIFT_WINDOW as minutes after local midnight, [start, end); an end before the start crosses midnight. */
function shiftWindow(config: Config): { start: number; end: number } {
  const [start, end] = config.SHIFT_WINDOW.split("-").map((hm) => {
    const [h, m] = hm.split(":").map(Number) as [number, number];
    return h * 60 + m;
  }) as [number, number];
  return { start, end };
}

/**
 * Successful logins outside the shift, on the centre's clock. The local time is computed in SQL
 * (`at time zone`, tz data ships with both engines) so only the per-user totals leave the database.
 */
export async function offHoursLogins(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const { start, end } = shiftWindow(config);
  const minute = sql`(extract(hour from l.created_at at time zone ${config.CENTRE_TIMEZONE}) * 60
                      + extract(minute from l.created_at at time zone ${config.CENTRE_TIMEZONE}))`;
  const outside =
    start <= end
      ? sql`(${minute} < ${start}::int or ${minute} >= ${end}::int)`
      : sql`(${minute} >= ${end}::int and ${minute} < ${start}::int)`;
  const rows = await queryRows<Row>(
    db,
    sql`select l.user_id, u.email, count(*) as logins, count(distinct l.ip) as ips,
               min(l.created_at)::text as first_at, max(l.created_at)::text as last_at
        from login_history l left join users u on u.id = l.user_id
        where l.success and l.user_id is not null and ${inWindow(sql`l.created_at`, w)} and ${outside}
        group by l.user_id, u.email`,
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    const userId = String(r.user_id);
    return {
      type: "off_hours_login",
      severity: "low",
      subject: subject({ userId, email: str(r.email) }),
      evidence: { logins: toNumber(r.logins), distinctIps: toNumber(r.ips) },
      firstSeenAt: first,
      lastSeenAt: iso(r.last_at),
      key: keyOf("off_hours_login", "user", userId, first, config),
    };
  });
}

/**
 * A signed-in user (or integration key) refused again and again: someone probing what an account can
 * reach, often with a stolen token. Each refused request is audited as `access.denied`.
 */
export async function repeatedForbidden(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select a.actor_id, a.actor_type, u.email, count(*) as refusals, count(distinct a.details->>'route') as routes,
               count(distinct a.ip) as ips, min(a.created_at)::text as first_at, max(a.created_at)::text as last_at
        from audit_logs a left join users u on a.actor_type = 'user' and u.id = a.actor_id
        where a.action = ${ACCESS_DENIED_ACTION} and a.actor_id is not null and ${inWindow(sql`a.created_at`, w)}
        group by a.actor_id, a.actor_type, u.email
        having count(*) >= ${config.SUSPICIOUS_FORBIDDEN_REQUESTS}::int`,
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    const actor = String(r.actor_id);
    return {
      type: "repeated_forbidden",
      severity: "medium",
      subject: subject({
        userId: r.actor_type === "user" ? actor : undefined,
        email: str(r.email),
        identifier: r.actor_type === "user" ? undefined : `api_key:${actor}`,
      }),
      evidence: { refusals: toNumber(r.refusals), distinctRoutes: toNumber(r.routes), distinctIps: toNumber(r.ips) },
      firstSeenAt: first,
      lastSeenAt: iso(r.last_at),
      key: keyOf("repeated_forbidden", String(r.actor_type), actor, first, config),
    };
  });
}

/** Accounts locked by failures from outside TRUSTED_NETWORKS: an attack from the internet, by definition. */
export async function untrustedNetworkLockouts(db: DbOrTx, config: Config, w: DetectionWindow): Promise<Finding[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select a.entity_id as user_id, u.email, count(*) as lockouts, count(distinct a.details->>'ip') as ips,
               min(a.created_at)::text as first_at, max(a.created_at)::text as last_at, min(a.details->>'ip') as ip
        from audit_logs a left join users u on u.id::text = a.entity_id
        where a.action = 'security.lockout_from_untrusted_network' and ${inWindow(sql`a.created_at`, w)}
        group by a.entity_id, u.email`,
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    const userId = String(r.user_id);
    return {
      type: "untrusted_network_lockout",
      severity: "high",
      subject: subject({ userId, email: str(r.email), ip: toNumber(r.ips) === 1 ? str(r.ip) : undefined }),
      evidence: { lockouts: toNumber(r.lockouts), distinctIps: toNumber(r.ips) },
      firstSeenAt: first,
      lastSeenAt: iso(r.last_at),
      key: keyOf("untrusted_network_lockout", "user", userId, first, config),
    };
  });
}

export const DETECTORS = [
  credentialStuffing,
  distributedAttack,
  otpAbuse,
  refreshTokenReuse,
  successAfterFailures,
  offHoursLogins,
  repeatedForbidden,
  untrustedNetworkLockouts,
];
