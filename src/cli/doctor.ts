import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { createDatabase, type Db, queryRows, toNumber } from "../db/client.js";
import { diagnoseDatabaseError } from "../db/diagnose.js";
import { getMigrationStatus } from "../db/migrate.js";
import { diagnoseSmtpError } from "../lib/smtp.js";
import { checkPooler, checkReplica } from "./doctor-scaling.js";
import { createSmtpTransport } from "../modules/mail/mailer.js";
import { fixFor } from "../modules/mail/outbox.js";

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was found (ok) or what is wrong (failure). */
  message: string;
  category?: string;
  fix?: string;
}

async function checkDatabase(config: Config): Promise<CheckResult[]> {
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  try {
    database = await createDatabase(config.database);
    const [row] = await queryRows<{ server_version: string }>(database.db, sql`show server_version`);
    const results: CheckResult[] = [
      {
        name: "database",
        ok: true,
        message: `${database.engine} ${row?.server_version ?? "?"} at ${database.display}`,
      },
    ];
    const status = await getMigrationStatus(database.db);
    results.push(
      status.pending.length === 0
        ? { name: "migrations", ok: true, message: `${status.applied.length} applied, none pending` }
        : {
            name: "migrations",
            ok: false,
            category: "MIGRATIONS_PENDING",
            message: `${status.pending.length} pending: ${status.pending.join(", ")}`,
            fix: "run `crm db migrate` (the server also applies them at start unless MIGRATE_ON_START=false)",
          },
    );
    if (status.pending.length === 0) results.push(await checkMailOutbox(database.db, config));
    results.push(...(await checkPooler(config)), ...(await checkReplica(database)));
    return results;
  } catch (err) {
    const d = diagnoseDatabaseError(err, config.database);
    return [{ name: "database", ok: false, category: d.category, message: d.message, fix: d.fix }];
  } finally {
    await database?.close().catch(() => {});
  }
}

/** Mail the outbox worker could not deliver (issue 11): operators learn it here, not callers. */
async function checkMailOutbox(db: Db, config: Config): Promise<CheckResult> {
  const [row] = await queryRows<{ failed: unknown; retrying: unknown; category: string | null }>(
    db,
    sql`select
      (select count(*) from mail_outbox where status = 'failed' and updated_at > now() - interval '7 days') as failed,
      (select count(*) from mail_outbox where status in ('pending', 'sending') and attempts > 0) as retrying,
      (select error_category from mail_outbox where error_category is not null and status <> 'sent' order by updated_at desc limit 1) as category`,
  );
  const failed = toNumber(row?.failed);
  const retrying = toNumber(row?.retrying);
  if (failed === 0 && retrying === 0) return { name: "mail outbox", ok: true, message: "no undelivered mail" };
  const category = row?.category ?? "SMTP_ERROR";
  return {
    name: "mail outbox",
    ok: false,
    category,
    message: `${failed} message(s) given up in the last 7 days, ${retrying} being retried (latest failure: ${category}); see GET /api/admin/email-outbox`,
    fix: fixFor(category, config) ?? "check the SMTP settings",
  };
}

async function checkSmtp(config: Config): Promise<CheckResult> {
  const transport = createSmtpTransport(config);
  try {
    await transport.verify();
    return {
      name: "smtp",
      ok: true,
      message: `logged in to ${config.SMTP_HOST}:${config.SMTP_PORT} as ${config.EMAIL_USER}`,
    };
  } catch (err) {
    const d = diagnoseSmtpError(err, config.SMTP_HOST, config.SMTP_PORT);
    return { name: "smtp", ok: false, category: d.category, message: d.message, fix: d.fix };
  } finally {
    transport.close();
  }
}

async function checkRedis(url: string): Promise<CheckResult> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis reports the socket error as an event and rejects with a generic "Connection is closed".
  let socketError: (Error & { code?: string }) | undefined;
  redis.on("error", (err) => {
    socketError = err;
  });
  const where = (() => {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}`;
  })();
  try {
    await redis.connect();
    await redis.ping();
    return { name: "redis", ok: true, message: `answering at ${where}` };
  } catch (err) {
    const code = socketError?.code ?? (err as { code?: string }).code;
    const text = socketError?.message ?? (err instanceof Error ? err.message : String(err));
    if (/NOAUTH|WRONGPASS/.test(text)) {
      return {
        name: "redis",
        ok: false,
        category: "REDIS_AUTH_FAILED",
        message: `Redis at ${where} refused the credentials`,
        fix: "fix the password in REDIS_URL",
      };
    }
    return {
      name: "redis",
      ok: false,
      category: "REDIS_UNREACHABLE",
      message: code === "ECONNREFUSED" ? `Redis is not running at ${where}` : `cannot reach Redis at ${where}: ${text}`,
      fix: "start Redis, fix REDIS_URL, or unset REDIS_URL to keep rate limits in memory (single instance only)",
    };
  } finally {
    redis.disconnect();
  }
}

/** Every check, in order; a configuration failure stops the rest since nothing else can be trusted. */
export async function runDoctor(env: Record<string, string | undefined>): Promise<CheckResult[]> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [
      {
        name: "configuration",
        ok: false,
        category: "CONFIG_INVALID",
        message: err.problems.join("; "),
        fix: "correct the variables above in the environment or .env (see .env.example)",
      },
    ];
  }
  const results: CheckResult[] = [
    {
      name: "configuration",
      ok: true,
      message: `${config.NODE_ENV}, listening on ${config.HOST}:${config.PORT}`,
    },
  ];
  results.push(...(await checkDatabase(config)));
  if (config.EMAIL_USER) results.push(await checkSmtp(config));
  else
    results.push({
      name: "smtp",
      ok: true,
      message: "not configured (EMAIL_USER unset): mail goes to the log",
    });
  if (config.REDIS_URL) results.push(await checkRedis(config.REDIS_URL));
  else
    results.push({
      name: "redis",
      ok: true,
      message: "not configured (REDIS_URL unset): in-memory rate limits",
    });
  return results;
}

export function formatDoctorReport(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results
    .map((r) => {
      const head = `${r.ok ? "✔" : "✖"} ${r.name.padEnd(width)}  `;
      if (r.ok) return `${head}${r.message}`;
      return `${head}[${r.category}] ${r.message}\n${" ".repeat(head.length)}fix: ${r.fix}`;
    })
    .join("\n");
}
