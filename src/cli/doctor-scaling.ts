import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { diagnoseDatabaseError } from "../db/diagnose.js";
import { probeConnection } from "../db/pooler.js";
import type { CheckResult } from "./doctor.js";

/** Everything a transaction pooler needs from this service, checked through DATABASE_URL. */
export async function checkPooler(config: Config): Promise<CheckResult[]> {
  const target = config.database;
  if (target.engine !== "postgres") return [];
  const probe = await probeConnection(target.connectionString);
  const results: CheckResult[] = [];
  if (!probe.pooler) {
    results.push({ name: "pooler", ok: true, message: "none detected: DATABASE_URL reaches PostgreSQL itself" });
  } else {
    const missing: string[] = [];
    if (target.preparedStatements !== false) missing.push("DB_PREPARED_STATEMENTS=false");
    if (!target.directConnectionString)
      missing.push("DATABASE_DIRECT_URL (the server itself, for migrations and locks)");
    if (probe.parallelWorkersPerGather !== "0") {
      const name = decodeURIComponent(new URL(target.connectionString).pathname.slice(1)) || "postgres";
      missing.push(
        `\`alter database "${name}" set max_parallel_workers_per_gather = 0\` (the pooler drops startup options)`,
      );
    }
    results.push(
      missing.length === 0
        ? { name: "pooler", ok: true, message: "a pooler (PgBouncer) is in front; its settings are in place" }
        : {
            name: "pooler",
            ok: false,
            category: "POOLER_SETTINGS",
            message:
              "a connection pooler (PgBouncer) sits in front of PostgreSQL: its server pid is not the one announced",
            fix: `set ${missing.join("; ")}`,
          },
    );
  }
  if (target.directConnectionString) {
    try {
      const direct = await probeConnection(target.directConnectionString);
      results.push(
        direct.pooler
          ? {
              name: "direct connection",
              ok: false,
              category: "POOLER_SETTINGS",
              message: "DATABASE_DIRECT_URL goes through a pooler too: session-level advisory locks would not hold",
              fix: "point DATABASE_DIRECT_URL at PostgreSQL itself (its own host and port, usually 5432)",
            }
          : { name: "direct connection", ok: true, message: "DATABASE_DIRECT_URL reaches PostgreSQL itself" },
      );
    } catch (err) {
      const d = diagnoseDatabaseError(err, { ...target, connectionString: target.directConnectionString });
      results.push({ name: "direct connection", ok: false, category: d.category, message: d.message, fix: d.fix });
    }
  }
  return results;
}

/** The replica's reachability and lag, as /ready reports it. */
export async function checkReplica(database: Database): Promise<CheckResult[]> {
  const replica = database.replica;
  if (!replica) return [];
  const state = await replica.probe();
  const where = replica.display;
  if (!state.reachable) {
    return [
      {
        name: "replica",
        ok: false,
        category: "REPLICA_UNAVAILABLE",
        message: `the replica at ${where} does not answer (${state.problem ?? "unknown"}); reads go to the primary`,
        fix: "start the standby or fix DATABASE_REPLICA_URL; unset it to read from the primary only",
      },
    ];
  }
  const lag = state.lagSeconds ?? 0;
  if (lag > replica.maxLagSeconds) {
    return [
      {
        name: "replica",
        ok: false,
        category: "REPLICA_LAGGING",
        message: `the replica at ${where} is ${lag.toFixed(1)} s behind (REPLICA_MAX_LAG_SECONDS=${replica.maxLagSeconds}); reads go to the primary`,
        fix: "check replication on the primary (`select * from pg_stat_replication`) and the standby's log",
      },
    ];
  }
  return [
    { name: "replica", ok: true, message: `${where}, ${lag.toFixed(1)} s behind (at most ${replica.maxLagSeconds})` },
  ];
}
