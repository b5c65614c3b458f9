import type { DatabaseTarget } from "../config.js";

interface CreateLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const codeOf = (err: unknown) => (err as { code?: unknown })?.code;

/**
 * Creates the database DATABASE_URL / DB_NAME names when it does not exist and the role may create
 * databases (seed 001 asked operators to run `createdb crm_database` by hand). Anything else (server
 * down, wrong password, no CREATEDB privilege) is left for the normal start-up path to report with its
 * category and fix.
 */
export async function ensureDatabaseExists(target: DatabaseTarget, log: CreateLogger): Promise<void> {
  if (target.engine !== "postgres") return;
  const { default: pg } = await import("pg");
  const probe = new pg.Client({ connectionString: target.connectionString, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if (codeOf(err) !== "3D000") return;
  } finally {
    await probe.end().catch(() => {});
  }

  const url = new URL(target.connectionString);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`create database "${name.replace(/"/g, '""')}"`);
    log.info({ database: name }, `database ${name} did not exist: created it`);
  } catch (err) {
    // 42P04: another instance starting at the same moment created it first.
    if (codeOf(err) === "42P04") return;
    log.warn({ database: name, code: codeOf(err) }, `database ${name} does not exist and could not be created`);
  } finally {
    await admin.end().catch(() => {});
  }
}
