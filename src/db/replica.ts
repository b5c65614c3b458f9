import { sql } from "drizzle-orm";
import type pg from "pg";
import { isDatabaseUnavailable } from "../lib/error-mapping.js";
import * as schema from "./schema/index.js";
import { type Db, type DbLogger, namedQueries, openPool, type QueryNamed, queryRows } from "./client.js";

/** How often the replica's position is compared with the primary's. */
const PROBE_INTERVAL_MS = 1000;
/** A probe older than this is not believed: the prober itself may be stuck on a dead host. */
const STALE_AFTER_MS = 5000;
/** The primary's positions kept to turn the replica's position into seconds of lag. */
const SAMPLE_WINDOW_MS = 10 * 60_000;
const PROBE_TIMEOUT_MS = 2000;

export interface ReplicaState {
  /** Reachable, a standby or not, and its lag known. */
  reachable: boolean;
  /** Seconds of writes the replica has not replayed yet; null when unknown. */
  lagSeconds: number | null;
  /** pg_last_wal_replay_lsn() (pg_current_wal_lsn() on a server that is not a standby). */
  replayLsn: string | null;
  problem?: string;
  checkedAt: number;
}

export interface Replica {
  db: Db;
  queryNamed: QueryNamed;
  display: string;
  maxLagSeconds: number;
  /** The last probe's answer (reads decide on it without waiting). */
  state(): ReplicaState;
  /** Probes now (the doctor and tests; the server probes every second). */
  probe(): Promise<ReplicaState>;
  close(): Promise<void>;
}

/** `16/B374D848` → a number that orders positions in the WAL. */
export function lsnValue(lsn: string): bigint {
  const [hi = "0", lo = "0"] = lsn.split("/");
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/**
 * Lag in seconds from positions alone: the primary's position is sampled at every probe, and the
 * replica is at least as old as the earliest sample it has not replayed. Unlike
 * `now() - pg_last_xact_replay_timestamp()` this reads 0 on an idle primary and keeps growing when
 * replication is broken (the standby then looks "caught up" with what it received).
 */
export function lagFromSamples(samples: { at: number; lsn: bigint }[], replay: bigint, now: number): number {
  const missed = samples.find((s) => s.lsn > replay);
  return missed ? Math.max(0, (now - missed.at) / 1000) : 0;
}

export async function openReplica(
  target: { connectionString: string; display: string; maxLagSeconds: number },
  primary: pg.Pool,
  prepared: boolean,
  logger?: DbLogger,
): Promise<Replica> {
  const { default: pg } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  // A short connect timeout: a dead replica costs one second once, then reads go to the primary.
  const pool = openPool(pg.Pool, target.connectionString, primary.options.max ?? 10, prepared, logger, 1000);
  let state: ReplicaState = {
    reachable: false,
    lagSeconds: null,
    replayLsn: null,
    problem: "not probed yet",
    checkedAt: 0,
  };
  const markDown = (err: unknown) => {
    state = { ...state, reachable: false, problem: (err as Error).message ?? String(err), checkedAt: Date.now() };
  };
  // A read that finds the replica gone mid-request runs again on the primary: no 503 for a replica.
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  pool.query = ((...args: unknown[]) =>
    query(...args).catch((err: unknown) => {
      if (!isDatabaseUnavailable(err)) throw err;
      markDown(err);
      logger?.warn({ err: { message: (err as Error).message } }, "replica unavailable: reading from the primary");
      return (primary.query as (...a: unknown[]) => Promise<unknown>)(...args);
    })) as typeof pool.query;

  const samples: { at: number; lsn: bigint }[] = [];
  const primaryDb = drizzle(primary, { schema }) as unknown as Db;
  const replicaDb = drizzle(pool, { schema }) as unknown as Db;
  let probing: Promise<ReplicaState> | undefined;

  async function probeOnce(): Promise<ReplicaState> {
    const now = Date.now();
    try {
      const [p] = await queryRows<{ lsn: string }>(primaryDb, sql`select pg_current_wal_lsn()::text as lsn`);
      if (p) samples.push({ at: now, lsn: lsnValue(p.lsn) });
    } catch {
      // The primary down says nothing about the replica; the lag is judged on older samples.
    }
    while (samples.length > 0 && samples[0]!.at < now - SAMPLE_WINDOW_MS) samples.shift();
    try {
      // Straight on the pool, not through the fallback: the answer must come from the replica.
      const client = await pool.connect();
      let failure: unknown;
      try {
        const { rows } = await client.query<{ lsn: string | null; age: number | null }>({
          text: `select (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end)::text as lsn,
                   case when pg_is_in_recovery() then extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end as age`,
          query_timeout: PROBE_TIMEOUT_MS,
        } as pg.QueryConfig);
        const lsn = rows[0]?.lsn ?? null;
        if (lsn === null) throw new Error("the standby has replayed nothing yet");
        let lag = lagFromSamples(samples, lsnValue(lsn), Date.now());
        // Behind even the oldest sample (just started): the samples cannot say how far; the standby's
        // own replay clock can.
        const oldest = samples[0];
        if (oldest && lsnValue(lsn) < oldest.lsn && rows[0]?.age != null) lag = Math.max(lag, rows[0].age);
        state = { reachable: true, replayLsn: lsn, lagSeconds: lag, checkedAt: now };
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        // A connection that timed out is dropped, not reused.
        client.release(failure instanceof Error ? failure : undefined);
      }
    } catch (err) {
      markDown(err);
    }
    return state;
  }
  const probe = () => (probing ??= probeOnce().finally(() => (probing = undefined)));
  const timer = setInterval(() => void probe(), PROBE_INTERVAL_MS);
  timer.unref();
  void probe();

  return {
    db: replicaDb,
    queryNamed: namedQueries(pool, prepared),
    display: target.display,
    maxLagSeconds: target.maxLagSeconds,
    state: () =>
      Date.now() - state.checkedAt > STALE_AFTER_MS
        ? { ...state, reachable: false, problem: state.problem ?? "no recent probe" }
        : state,
    probe,
    async close() {
      clearInterval(timer);
      await probing?.catch(() => undefined);
      await pool.end();
    },
  };
}
