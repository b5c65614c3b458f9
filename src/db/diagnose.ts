import type { DatabaseTarget } from "../config.js";

export interface Diagnosis {
  category: string;
  message: string;
  fix: string;
}

function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof e.code === "string") codes.push(e.code);
    if (Array.isArray(e.errors)) for (const inner of e.errors) codes.push(...codesOf(inner));
    current = e.cause;
  }
  return codes;
}

function messagesOf(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { message?: unknown; cause?: unknown };
    if (typeof e.message === "string") parts.push(e.message);
    current = e.cause;
  }
  return parts.join(" | ");
}

function describeTarget(target: DatabaseTarget) {
  if (target.engine === "pglite") return { host: "", port: "", database: "", user: "" };
  const url = new URL(target.connectionString);
  return {
    host: url.hostname,
    port: url.port || "5432",
    database: decodeURIComponent(url.pathname.slice(1)) || "postgres",
    user: decodeURIComponent(url.username) || "postgres",
  };
}

/**
 * Names the category of a failure to reach the database and how to fix it: seed 001 asks that an
 * operator can tell "database unreachable" apart from everything else at a glance.
 */
export function diagnoseDatabaseError(err: unknown, target: DatabaseTarget): Diagnosis {
  const message = err instanceof Error ? err.message : String(err);
  if (target.engine === "pglite") {
    return {
      category: "EMBEDDED_DATABASE_ERROR",
      message: `the embedded database at ${target.dataDir} could not be opened: ${message}`,
      fix: "check that DATA_DIR is writable and not used by another running server; or set DATABASE_URL",
    };
  }
  const { host, port, database, user } = describeTarget(target);
  const codes = codesOf(err);
  const has = (code: string) => codes.includes(code);
  if (/unsupported startup parameter/i.test(messagesOf(err))) {
    return {
      category: "DATABASE_POOLER",
      message: `a connection pooler at ${host}:${port} (PgBouncer) refused the startup parameter \`options\``,
      fix: "set DB_PREPARED_STATEMENTS=false and DATABASE_DIRECT_URL (PostgreSQL itself) for a transaction pooler; `crm doctor` lists the rest",
    };
  }
  if (has("ECONNREFUSED")) {
    return {
      category: "DATABASE_UNREACHABLE",
      message: `PostgreSQL is not running at ${host}:${port}`,
      fix: "start PostgreSQL (e.g. `sudo systemctl start postgresql`), or fix DB_HOST/DB_PORT/DATABASE_URL; unset both DATABASE_URL and DB_NAME to use the embedded database",
    };
  }
  if (has("ENOTFOUND") || has("EAI_AGAIN")) {
    return {
      category: "DATABASE_UNREACHABLE",
      message: `the database host ${host} cannot be resolved`,
      fix: "check the host name in DATABASE_URL or DB_HOST",
    };
  }
  if (has("ETIMEDOUT") || /timeout/i.test(message)) {
    return {
      category: "DATABASE_UNREACHABLE",
      message: `no answer from ${host}:${port} in time`,
      fix: "check that the server is up and that no firewall drops the connection",
    };
  }
  if (has("28P01")) {
    return {
      category: "DATABASE_AUTH_FAILED",
      message: `wrong password for user ${user}`,
      fix: "set the right DB_PASSWORD (or the password in DATABASE_URL)",
    };
  }
  if (has("28000")) {
    return {
      category: "DATABASE_AUTH_FAILED",
      message: `user ${user} may not connect to ${database}`,
      fix: `create the role (\`createuser ${user}\`) or allow it in pg_hba.conf`,
    };
  }
  if (has("3D000")) {
    return {
      category: "DATABASE_MISSING",
      message: `database ${database} does not exist`,
      fix: `createdb ${database}`,
    };
  }
  return {
    category: "DATABASE_ERROR",
    message: `cannot use the database at ${host}:${port}/${database}: ${message}`,
    fix: "see the PostgreSQL server log",
  };
}
