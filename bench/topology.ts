/**
 * What the bench measures: one instance (with WEB_CONCURRENCY workers), or `BENCH_INSTANCES=2`
 * instances behind a PgBouncer in transaction mode in front of the bench database, as a
 * deployment of several instances would run (issue 15). The load generator spreads its connections
 * over every instance's URL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, PG_BASE_URL, type RunningServer, startServer } from "./infra.js";

export const PGBOUNCER = process.env.PGBOUNCER_BIN ?? "/usr/sbin/pgbouncer";

export interface Topology {
  /** For the report: "1 instance, WEB_CONCURRENCY=2" and the like. */
  label: string;
  baseUrls: string[];
  /** Each instance's process; the CPU watch adds their workers. */
  pids: number[];
  stop(): Promise<void>;
}

interface Bouncer {
  port: number;
  stop(): Promise<void>;
}

/** PgBouncer (Debian's 1.18) in transaction mode; like PostgreSQL it will not run as root, so as root it runs as `postgres`. */
async function startPgbouncer(): Promise<Bouncer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-pgbouncer-"));
  const port = await freePort();
  const target = new URL(PG_BASE_URL);
  const ini = path.join(dir, "pgbouncer.ini");
  const pidFile = path.join(dir, "pgbouncer.pid");
  writeFileSync(path.join(dir, "userlist.txt"), '"postgres" ""\n');
  writeFileSync(
    ini,
    `[databases]
* = host=${target.hostname} port=${target.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${path.join(dir, "userlist.txt")}
pool_mode = transaction
; The same 20 server connections one instance's pool has: PgBouncer, not the instances, sets the budget.
default_pool_size = 20
max_client_conn = 500
ignore_startup_parameters = extra_float_digits,options
pidfile = ${pidFile}
logfile = ${path.join(dir, "pgbouncer.log")}
`,
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dir, 0o777);
  const child: ChildProcess = spawn(
    asRoot ? "runuser" : PGBOUNCER,
    asRoot ? ["-u", "postgres", "--", PGBOUNCER, ini] : [ini],
    {
      stdio: "ignore",
    },
  );
  const stop = async () => {
    // Our own PgBouncer, by the pid it wrote (runuser may not pass the signal on).
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGTERM");
      } catch {}
    }
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!existsSync(pidFile)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`PgBouncer did not start (${PGBOUNCER} ${ini})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, stop };
}

/**
 * Starts what BENCH_INSTANCES asks for. `env` is the single server's environment (serverEnv): the
 * instances share its JWT secret, so a token issued by one is accepted by the other.
 */
export async function startTopology(env: NodeJS.ProcessEnv, logFile: string): Promise<Topology> {
  const instances = Number(process.env.BENCH_INSTANCES || "1");
  const workers = env.WEB_CONCURRENCY ?? "1";
  if (instances <= 1) {
    const server = await startServer(env, Number(env.PORT), logFile);
    return {
      label: `1 instance, WEB_CONCURRENCY=${workers}`,
      baseUrls: [server.baseUrl],
      pids: [server.pid],
      stop: () => server.stop(),
    };
  }
  const bouncer = await startPgbouncer();
  const direct = new URL(env.DATABASE_URL!);
  const pooled = new URL(env.DATABASE_URL!);
  pooled.host = `127.0.0.1:${bouncer.port}`;
  const servers: RunningServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await bouncer.stop();
  };
  try {
    for (let i = 0; i < instances; i++) {
      const port = i === 0 ? Number(env.PORT) : await freePort();
      const instanceEnv = {
        ...env,
        PORT: String(port),
        DATABASE_URL: pooled.toString(),
        DATABASE_DIRECT_URL: direct.toString(),
        // PgBouncer 1.18 in transaction mode carries no named prepared statement between transactions.
        DB_PREPARED_STATEMENTS: "false",
        // The bench's seed migrated; two instances must not race for the migration lock.
        MIGRATE_ON_START: "false",
      };
      servers.push(await startServer(instanceEnv, port, i === 0 ? logFile : logFile.replace(/\.log$/, `-${i}.log`)));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    label: `${instances} instances (WEB_CONCURRENCY=${workers} each) behind PgBouncer (transaction mode), DB_PREPARED_STATEMENTS=false`,
    baseUrls: servers.map((s) => s.baseUrl),
    pids: servers.map((s) => s.pid),
    stop,
  };
}
