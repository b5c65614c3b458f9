import type { RawConfig } from "./config.js";

/** Where the data lives, resolved from the database variables (src/config.ts reads them). */
export type DatabaseTarget =
  | {
      engine: "postgres";
      connectionString: string;
      poolMax: number;
      display: string;
      /** false behind a transaction pooler: unnamed statements, no startup `options`. Default true. */
      preparedStatements?: boolean;
      /** A session-capable connection (not through the pooler) for migrations and advisory locks. */
      directConnectionString?: string;
      /** A streaming replica for reads; see src/db/replica.ts. */
      replica?: { connectionString: string; display: string; maxLagSeconds: number };
    }
  | { engine: "pglite"; dataDir: string; display: string };

/** The scaling settings need PostgreSQL: PGlite is one process with one connection. */
export function checkScaling(raw: RawConfig, database: DatabaseTarget, problems: string[]) {
  if (database.engine !== "pglite") return;
  for (const key of ["DATABASE_DIRECT_URL", "DATABASE_REPLICA_URL"] as const) {
    if (raw[key]) problems.push(`${key}: only with PostgreSQL; set DATABASE_URL or DB_NAME too`);
  }
  if ((raw.WEB_CONCURRENCY ?? 1) > 1) {
    problems.push(
      `WEB_CONCURRENCY: the embedded database (PGlite) serves one process; set DATABASE_URL for more workers (got ${raw.WEB_CONCURRENCY})`,
    );
  }
}

function postgresTarget(raw: RawConfig, connectionString: string): DatabaseTarget {
  return {
    engine: "postgres",
    connectionString,
    poolMax: raw.DB_POOL_MAX,
    display: redactConnectionString(connectionString),
    preparedStatements: raw.DB_PREPARED_STATEMENTS,
    ...(raw.DATABASE_DIRECT_URL ? { directConnectionString: raw.DATABASE_DIRECT_URL } : {}),
    ...(raw.DATABASE_REPLICA_URL
      ? {
          replica: {
            connectionString: raw.DATABASE_REPLICA_URL,
            display: redactConnectionString(raw.DATABASE_REPLICA_URL),
            maxLagSeconds: raw.REPLICA_MAX_LAG_SECONDS,
          },
        }
      : {}),
  };
}

export function resolveDatabase(raw: RawConfig): DatabaseTarget {
  if (raw.DATABASE_URL) return postgresTarget(raw, raw.DATABASE_URL);
  if (raw.DB_NAME) {
    const url = new URL("postgres://localhost");
    url.hostname = raw.DB_HOST;
    url.port = String(raw.DB_PORT);
    url.username = raw.DB_USER;
    if (raw.DB_PASSWORD) url.password = raw.DB_PASSWORD;
    url.pathname = `/${raw.DB_NAME}`;
    return postgresTarget(raw, url.toString());
  }
  return { engine: "pglite", dataDir: raw.DATA_DIR, display: `PGlite at ${raw.DATA_DIR}` };
}

/** host:port/database as user, never the password: this string goes to logs and the CLI. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const user = url.username ? ` as ${decodeURIComponent(url.username)}` : "";
    return `${url.hostname}:${url.port || "5432"}${url.pathname}${user}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
