/**
 * The primary (its own initdb, not the machine's cluster on 5432: nothing here touches a shared server's
 * configuration) and a hot standby made from it with pg_basebackup -R.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { DATABASE, type Layout } from "./layout.js";
import { giveToPostgres, PG_BIN, runPg, tail } from "./processes.js";

const SLOT = "crm_standby";

/** Appended to the primary's postgresql.conf after initdb; the standby inherits it through the base backup. */
function primarySettings(l: Layout) {
  return `
# scripts/cluster: a throwaway cluster on one machine.
listen_addresses = '127.0.0.1'
port = ${l.ports.primary}
unix_socket_directories = '${l.socketDir}'
# Durability against a machine crash buys nothing in a cluster that is deleted afterwards, and fsync on a
# shared disk costs seconds at initdb, checkpoints and the base backup.
fsync = off
full_page_writes = off
shared_buffers = 64MB
max_connections = 150
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
# Long reads on the standby are not cancelled by the primary's vacuum.
hot_standby_feedback = on
# The service asks for this in its connection's startup options, which PgBouncer cannot pass on
# (ignore_startup_parameters drops them), so the server applies it to every session instead.
max_parallel_workers_per_gather = 0
log_min_messages = warning
`;
}

export function pgRunning(dataDir: string): boolean {
  return (
    existsSync(path.join(dataDir, "PG_VERSION")) &&
    runPg(`${PG_BIN}/pg_ctl`, ["status", "-D", dataDir], { allowFailure: true }).ok
  );
}

function startPg(dataDir: string, log: string) {
  try {
    runPg(`${PG_BIN}/pg_ctl`, ["start", "-D", dataDir, "-l", log, "-w", "-t", "30"]);
  } catch (err) {
    // pg_ctl only says "see the log": say what the log says.
    throw new Error(`${(err as Error).message}\n${tail(log, 15)}`, { cause: err });
  }
}

/** Fast by default; `immediate` skips the shutdown checkpoint when the data is thrown away anyway. */
export function stopPg(dataDir: string, mode: "fast" | "immediate" = "fast") {
  if (pgRunning(dataDir)) runPg(`${PG_BIN}/pg_ctl`, ["stop", "-D", dataDir, "-m", mode, "-w", "-t", "30"]);
}

/** One client on one server (never a pool: the cluster script and the tests make a handful of calls). */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function ensurePrimary(l: Layout) {
  mkdirSync(l.socketDir, { recursive: true });
  // The postgres user must be able to reach its directories inside ours (mkdtemp makes 0700 folders).
  chmodSync(l.dir, 0o755);
  giveToPostgres(l.pgDir);
  if (!existsSync(path.join(l.primaryData, "PG_VERSION"))) {
    // --no-sync: see fsync above. C.UTF-8 as the machine's own cluster, so sorting is the same as in tests.
    runPg(`${PG_BIN}/initdb`, [
      "-D",
      l.primaryData,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
      "--no-sync",
    ]);
    appendFileSync(path.join(l.primaryData, "postgresql.conf"), primarySettings(l));
  }
  if (!pgRunning(l.primaryData)) startPg(l.primaryData, path.join(l.pgDir, "primary.log"));
  const admin = l.urls.direct.replace(`/${DATABASE}`, "/postgres");
  await withClient(admin, async (client) => {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  });
}

export async function ensureStandby(l: Layout) {
  if (!existsSync(path.join(l.standbyData, "PG_VERSION"))) {
    // A slot keeps the primary's WAL while the standby is stopped (the tests stop it), so it catches up
    // when it starts again instead of needing a new base backup. A slot left by a half-made standby goes first.
    await withClient(l.urls.direct, (client) =>
      client.query("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1", [SLOT]),
    );
    runPg(`${PG_BIN}/pg_basebackup`, [
      ...["-h", "127.0.0.1", "-p", String(l.ports.primary), "-U", "postgres"],
      ...["-D", l.standbyData, "-R", "-X", "stream", "-c", "fast", "-C", "-S", SLOT, "--no-sync"],
    ]);
    // -R wrote standby.signal and primary_conninfo; the copied postgresql.conf still names the primary's port.
    appendFileSync(path.join(l.standbyData, "postgresql.auto.conf"), `port = ${l.ports.standby}\n`);
  }
  if (!pgRunning(l.standbyData)) startPg(l.standbyData, path.join(l.pgDir, "standby.log"));
}

/** The standby alone, for the tests: reads must fall back to the primary while it is down. */
export const stopStandby = (l: Layout) => stopPg(l.standbyData, "fast");
export const startStandby = (l: Layout) => ensureStandby(l);
