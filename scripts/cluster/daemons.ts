/** PgBouncer in front of the primary, and a Redis of the cluster's own (so `down` leaves the machine's alone). */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DATABASE, type Layout } from "./layout.js";
import {
  giveToPostgres,
  livePid,
  PGBOUNCER,
  portOpen,
  REDIS_SERVER,
  runPg,
  stopPid,
  tail,
  waitFor,
} from "./processes.js";

const bouncerFiles = (l: Layout) => ({
  ini: path.join(l.bouncerDir, "pgbouncer.ini"),
  users: path.join(l.bouncerDir, "userlist.txt"),
  pid: path.join(l.bouncerDir, "pgbouncer.pid"),
  log: path.join(l.bouncerDir, "pgbouncer.log"),
});

function bouncerConfig(l: Layout) {
  const f = bouncerFiles(l);
  return `[databases]
${DATABASE} = host=127.0.0.1 port=${l.ports.primary} dbname=${DATABASE}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${l.ports.pgbouncer}
; TCP only: the default socket in /tmp would clash with another PgBouncer on the same port number.
unix_socket_dir =
; The primary trusts local connections; trust still needs the user in auth_file.
auth_type = trust
auth_file = ${f.users}
admin_users = postgres
; Transaction pooling is what lets many instances share a few server connections; it is also why the
; service must not rely on named prepared statements or session state (issue 15, part 2).
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
; node-postgres sends the service's "-c max_parallel_workers_per_gather=0" as \`options\`, and some
; drivers send extra_float_digits; PgBouncer refuses unknown startup parameters unless told to ignore
; them (the primary sets the first one itself).
ignore_startup_parameters = extra_float_digits,options
pidfile = ${f.pid}
logfile = ${f.log}
`;
}

export async function ensurePgbouncer(l: Layout) {
  const f = bouncerFiles(l);
  if (livePid(f.pid, "pgbouncer")) return;
  mkdirSync(l.bouncerDir, { recursive: true });
  writeFileSync(f.ini, bouncerConfig(l));
  writeFileSync(f.users, '"postgres" ""\n');
  giveToPostgres(l.bouncerDir);
  // -d: it daemonises, and like PostgreSQL it will not run as root.
  runPg(PGBOUNCER, ["-d", f.ini]);
  await waitFor(
    "PgBouncer",
    () => portOpen(l.ports.pgbouncer),
    10_000,
    () => tail(f.log),
  );
}

export async function stopPgbouncer(l: Layout) {
  const pid = livePid(bouncerFiles(l).pid, "pgbouncer");
  // SIGTERM is PgBouncer's immediate shutdown (SIGINT would wait for its clients).
  if (pid) await stopPid(pid, "SIGTERM");
}

const redisFiles = (l: Layout) => ({
  pid: path.join(l.redisDir, "redis.pid"),
  log: path.join(l.redisDir, "redis.log"),
});

export async function ensureRedis(l: Layout) {
  const f = redisFiles(l);
  if (livePid(f.pid, "redis-server")) return;
  mkdirSync(l.redisDir, { recursive: true });
  // Rate limits and counters only: nothing worth persisting.
  execFileSync(REDIS_SERVER, [
    ...["--port", String(l.ports.redis), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    ...["--daemonize", "yes", "--pidfile", f.pid, "--logfile", f.log, "--dir", l.redisDir],
  ]);
  await waitFor(
    "Redis",
    () => portOpen(l.ports.redis),
    10_000,
    () => tail(f.log),
  );
}

export async function stopRedis(l: Layout) {
  const pid = livePid(redisFiles(l).pid, "redis-server");
  if (pid) await stopPid(pid, "SIGTERM");
}

export const pgbouncerRunning = (l: Layout) => livePid(bouncerFiles(l).pid, "pgbouncer") !== null;
export const redisRunning = (l: Layout) => livePid(redisFiles(l).pid, "redis-server") !== null;
