import { mkdirSync } from "node:fs";
import path from "node:path";
import type { SQL } from "drizzle-orm";
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm/relations";
import type pg from "pg";
import type { DatabaseTarget } from "../config.js";
import { openReplica, type Replica } from "./replica.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
/** The one database type the code sees, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Repositories accept either, so services decide where transactions start. */
export type DbOrTx = Db | Tx;

export interface DbLogger {
  warn(obj: object, msg?: string): void;
}

export interface Database {
  db: Db;
  engine: "postgres" | "pglite";
  /** Where it is, safe to log (never a password). */
  display: string;
  /**
   * Runs `fn` on one dedicated connection (needed for session-level advisory locks). PGlite has a
   * single connection, so it simply runs there.
   */
  withConnection<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Runs a query as a named prepared statement, so a big query's plan is made once per connection
   * (planning the pre-call statement costs three times its execution). PGlite just runs it.
   */
  queryNamed<T>(name: string, query: SQL): Promise<T[]>;
  /** The streaming replica (DATABASE_REPLICA_URL), when configured; reads choose it per request. */
  replica?: Replica;
  /** PGlite only: the whole data directory as a tarball, so tests migrate once and load copies. */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PGlite only: start a new data directory from this `dumpDataDir` tarball instead of initdb. */
  loadDataDir?: Blob;
  /**
   * PostgreSQL only: told of every statement sent to the server, with its parameters (a test counts
   * a route's round trips; scripts/hot-plans.ts explains the statements a route sends).
   */
  onQuery?: (text: string, values?: unknown[]) => void;
}

const dialect = new PgDialect();

/** Migrations, seeding and two background jobs at most hold a direct connection at once. */
const DIRECT_POOL_MAX = 3;

export type QueryNamed = Database["queryNamed"];

/** The pool the app, the direct connections and the replica each open (pg.Pool or a subclass). */
export function openPool(
  Pool: typeof pg.Pool,
  connectionString: string,
  max: number,
  withOptions: boolean,
  logger?: DbLogger,
  connectionTimeoutMillis = 3000,
  onQuery?: (text: string, values?: unknown[]) => void,
): pg.Pool {
  const pool = new Pool({
    connectionString,
    max,
    // Fail fast when the server is gone, so requests get a 503 instead of hanging.
    connectionTimeoutMillis,
    idleTimeoutMillis: 30_000,
    application_name: "collections-crm",
    // Parallel workers speed up one big query but steal the cores that concurrent requests need on
    // a small server (measured: the worklist's ranking spawned two workers per request). A startup
    // parameter: PgBouncer refuses `options`, so behind it the setting goes on the database instead
    // (`alter database … set max_parallel_workers_per_gather = 0`, which `crm doctor` checks).
    ...(withOptions ? { options: "-c max_parallel_workers_per_gather=0" } : {}),
  });
  // A connection dying (server restart, network cut) must not crash the process. pg-pool listens
  // for errors only on idle clients; a checked-out client between two queries (inside a
  // transaction, a job holding its lock) would emit an unhandled 'error'. So every client gets its
  // own listener for life; its next query fails, and the pool drops it on release.
  pool.on("connect", (client) => {
    client.on("error", (err) => logger?.warn({ err: { message: err.message } }, "database connection lost"));
    // Tests count the statements a route sends (round trips) through this hook.
    if (onQuery) {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const first = args[0] as string | { text?: string; values?: unknown[] };
        // (text, values), ({ text, values }), or drizzle's ({ name, text }, values).
        const values = Array.isArray(args[1])
          ? (args[1] as unknown[])
          : typeof first === "string"
            ? undefined
            : first?.values;
        onQuery(typeof first === "string" ? first : (first?.text ?? ""), values);
        return query(...args);
      };
    }
  });
  pool.on("error", () => undefined);
  return pool;
}

/**
 * Named statements are planned once per server connection. A transaction pooler hands each
 * transaction another server connection, where the name is unknown: there they run unnamed.
 */
export function namedQueries(pool: Pick<pg.Pool, "query">, prepared: boolean): QueryNamed {
  return async <T>(name: string, query: SQL) => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    const result = await pool.query(prepared ? { name, text, values: params } : { text, values: params });
    return result.rows as T[];
  };
}

/**
 * Rows of a raw query. node-postgres returns a QueryResult and PGlite a Results object; both carry
 * `rows`, and this is the one place that relies on it.
 */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A json column: parsed by the driver already, or text when it went through a cast or another path. */
export const parseJsonColumn = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;

/**
 * int8 (count(*), sum of integers) arrives as a string from `pg` and as a number from PGlite;
 * callers normalise through this so the API never depends on the engine.
 */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") return Number(value);
  return 0;
}

export async function createDatabase(
  target: DatabaseTarget,
  logger?: DbLogger,
  openOptions: OpenOptions = {},
): Promise<Database> {
  if (target.engine === "postgres") {
    const { default: pg } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const prepared = target.preparedStatements !== false;
    const pool = openPool(
      pg.Pool,
      target.connectionString,
      target.poolMax,
      prepared,
      logger,
      3000,
      openOptions.onQuery,
    );
    // Session-level advisory locks (migrations, seeding, background jobs) need a real session: behind
    // a transaction pooler each statement may run on another server connection, and the lock would be
    // taken on one and released on another. A few direct connections, opened on first use.
    let direct: pg.Pool | undefined;
    const sessionPool = () => {
      if (!target.directConnectionString) return pool;
      direct ??= openPool(pg.Pool, target.directConnectionString, DIRECT_POOL_MAX, true, logger);
      return direct;
    };
    const replica = target.replica ? await openReplica(target.replica, pool, prepared, logger) : undefined;
    return {
      db: drizzle(pool, { schema }) as unknown as Db,
      engine: "postgres",
      display: target.display,
      async withConnection(fn) {
        const client = await sessionPool().connect();
        try {
          return await fn(drizzle(client, { schema }) as unknown as Db);
        } finally {
          client.release();
        }
      },
      queryNamed: namedQueries(pool, prepared),
      ...(replica ? { replica } : {}),
      async close() {
        await replica?.close();
        await direct?.end();
        await pool.end();
      },
    };
  }

  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { drizzle } = await import("drizzle-orm/pglite");
  // Extensions the migrations create must be compiled into PGlite's WASM build up front.
  const options = {
    extensions: { pg_trgm },
    ...(openOptions.loadDataDir ? { loadDataDir: openOptions.loadDataDir } : {}),
  };
  let client: InstanceType<typeof PGlite>;
  if (target.dataDir === "memory://") {
    client = new PGlite(options);
  } else {
    const dir = path.resolve(target.dataDir, "pglite");
    mkdirSync(path.dirname(dir), { recursive: true });
    client = new PGlite(dir, options);
  }
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    engine: "pglite",
    display: target.display,
    withConnection: (fn) => fn(db),
    async queryNamed<T>(_name: string, query: SQL) {
      return queryRows<T>(db, query);
    },
    dumpDataDir: async () => client.dumpDataDir("none"),
    close: () => client.close(),
  };
}
