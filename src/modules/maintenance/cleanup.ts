import { type SQL, sql } from "drizzle-orm";
import { type Database, type Db, queryRows, toNumber } from "../../db/client.js";
import { withJobLock } from "../../db/locks.js";
import type { Services } from "../../services.js";
import { markBrokenPromises } from "../promises/repository.js";
import { LOCK_KEYS } from "../../db/lock-keys.js";

/** Rows per statement: deletes stay short so they never hold long locks on busy tables. */
export const CLEANUP_BATCH = 5000;
const CLEANUP_LOCK = LOCK_KEYS.cleanup;

export interface CleanupStep {
  name: string;
  table: string;
  removed: number;
}

interface Rule {
  name: string;
  table: string;
  /** Which rows have expired, as of `at`. */
  where: (at: string, services: Services) => SQL;
  /** Ending sessions updates them rather than deleting. */
  update?: (at: string) => SQL;
}

/** Seed 002's clean-up functions, each a rule over one table. */
const RULES: Rule[] = [
  {
    // cleanup_expired_otps: reset requests whose code and reset token ran out more than a day ago
    // (the daily request cap counts the last 24 h, so those rows are never needed for it).
    name: "cleanup_expired_otps",
    table: "password_reset_requests",
    where: (at) =>
      sql`greatest(otp_expires_at, coalesce(reset_token_expires_at, otp_expires_at)) < ${at}::timestamptz - interval '1 day'`,
  },
  {
    // Email verification codes a day past expiry (the address's state lives on the user).
    name: "cleanup_expired_verification_codes",
    table: "email_verifications",
    where: (at) => sql`expires_at < ${at}::timestamptz - interval '1 day'`,
  },
  {
    // cleanup_expired_refresh_tokens: past expiry; used ones are kept until then for reuse detection.
    name: "cleanup_expired_refresh_tokens",
    table: "refresh_tokens",
    where: (at) => sql`expires_at < ${at}::timestamptz`,
  },
  {
    // cleanup_expired_sessions, first half: end sessions that went idle or over age.
    name: "cleanup_expired_sessions",
    table: "user_sessions",
    where: (at, s) => sql`ended_at is null and (
        last_activity_at < ${at}::timestamptz - make_interval(secs => ${s.config.SESSION_IDLE_MINUTES * 60})
        or created_at < ${at}::timestamptz - make_interval(secs => ${s.config.SESSION_MAX_HOURS * 3600}))`,
    update: (at) => sql`ended_at = ${at}::timestamptz, end_reason = 'expired'`,
  },
  {
    // …and forget ended sessions once their history is no longer kept.
    name: "cleanup_ended_sessions",
    table: "user_sessions",
    where: (at, s) =>
      sql`ended_at < ${at}::timestamptz - make_interval(days => ${s.config.LOGIN_HISTORY_RETENTION_DAYS})`,
  },
  {
    // Runs of failed sign-ins with nothing for a day and no lock in force: the count starts afresh.
    // Each unknown identifier tried leaves a row, so this keeps a spray of guesses from piling up.
    name: "cleanup_stale_lockouts",
    table: "login_lockouts",
    where: (at) =>
      sql`last_failed_at < ${at}::timestamptz - interval '1 day' and (locked_until is null or locked_until <= ${at}::timestamptz)`,
  },
  {
    name: "cleanup_old_audit_logs",
    table: "audit_logs",
    where: (at, s) => sql`created_at < ${at}::timestamptz - make_interval(days => ${s.config.AUDIT_RETENTION_DAYS})`,
  },
  {
    name: "cleanup_old_login_history",
    table: "login_history",
    where: (at, s) =>
      sql`created_at < ${at}::timestamptz - make_interval(days => ${s.config.LOGIN_HISTORY_RETENTION_DAYS})`,
  },
  {
    // Delivered or given-up mail (bodies already erased) follows the sign-in history's retention.
    name: "cleanup_old_mail",
    table: "mail_outbox",
    where: (at, s) =>
      sql`status in ('sent', 'failed') and updated_at < ${at}::timestamptz - make_interval(days => ${s.config.LOGIN_HISTORY_RETENTION_DAYS})`,
  },
  {
    // OTP events are sign-in history too and follow its retention.
    name: "cleanup_old_otp_logs",
    table: "otp_logs",
    where: (at, s) =>
      sql`created_at < ${at}::timestamptz - make_interval(days => ${s.config.LOGIN_HISTORY_RETENTION_DAYS})`,
  },
];

async function runRule(db: Db, rule: Rule, at: string, services: Services, dryRun: boolean): Promise<number> {
  const table = sql.identifier(rule.table);
  const where = rule.where(at, services);
  if (dryRun) {
    const [row] = await queryRows<{ n: unknown }>(db, sql`select count(*) as n from ${table} where ${where}`);
    return toNumber(row?.n);
  }
  let total = 0;
  for (;;) {
    const batch = sql`select ctid from ${table} where ${where} limit ${CLEANUP_BATCH}`;
    const statement = rule.update
      ? sql`update ${table} set ${rule.update(at)} where ctid in (${batch}) returning 1`
      : sql`delete from ${table} where ctid in (${batch}) returning 1`;
    const done = (await queryRows(db, statement)).length;
    total += done;
    if (done < CLEANUP_BATCH) return total;
  }
}

/**
 * Runs every clean-up and the promise evaluation. With several instances on one database only one
 * runs at a time: the others find the job lock taken and skip the round.
 */
export async function runCleanup(
  services: Services,
  database: Pick<Database, "withConnection" | "engine">,
  options: { dryRun?: boolean } = {},
) {
  const steps = await withJobLock(database, CLEANUP_LOCK, async (db) => {
    const now = services.clock.now();
    const at = now.toISOString();
    const steps: CleanupStep[] = [];
    for (const rule of RULES) {
      steps.push({
        name: rule.name,
        table: rule.table,
        removed: await runRule(db, rule, at, services, Boolean(options.dryRun)),
      });
    }
    const broken = options.dryRun
      ? toNumber(
          (
            await queryRows<{ n: unknown }>(
              db,
              sql`select count(*) as n from payment_promises p join customers c on c.id = p.customer_id
                  where p.status = 'pending' and p.due_date + ${services.config.PROMISE_GRACE_DAYS}::int < (${at}::timestamptz at time zone c.timezone)::date`,
            )
          )[0]?.n,
        )
      : await markBrokenPromises(db, services.config.PROMISE_GRACE_DAYS, now);
    steps.push({ name: "evaluate_promises", table: "payment_promises", removed: broken });
    return steps;
  });
  return steps ? { ran: true as const, steps } : { ran: false as const, steps: [] as CleanupStep[] };
}

export const CLEANUP_LOCK_KEY = CLEANUP_LOCK;
