/**
 * Process plumbing for scripts/cluster: running PostgreSQL's tools as the `postgres` OS user, pid files,
 * and waiting for a port or an HTTP endpoint. Nothing here knows the cluster's layout.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";

export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
export const PGBOUNCER = process.env.PGBOUNCER_BIN ?? "/usr/sbin/pgbouncer";
export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "/usr/bin/redis-server";

/** PostgreSQL (and PgBouncer) refuse to run as root, so as root their tools run as `postgres`. */
export const asRoot = process.getuid?.() === 0;
export const PG_USER = "postgres";

/** What is missing for a cluster on this machine, in words (empty when everything is there). */
export function missingBinaries(): string[] {
  const needed = [`${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`, `${PG_BIN}/pg_basebackup`, PGBOUNCER, REDIS_SERVER];
  return needed.filter((file) => !existsSync(file));
}

/** Runs a PostgreSQL tool (as `postgres` when we are root) and returns its output; throws with its stderr. */
export function runPg(command: string, args: string[], options: { allowFailure?: boolean } = {}) {
  const [file, argv] = asRoot ? ["runuser", ["-u", PG_USER, "--", command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr || result.stdout}`);
  }
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** Hands a directory to the `postgres` user (initdb and pg_basebackup write into it). */
export function giveToPostgres(dir: string) {
  if (asRoot) execFileSync("chown", ["-R", `${PG_USER}:${PG_USER}`, dir]);
}

/**
 * The pid in `pidFile` if that process is alive and its command line contains `expect`: a stale pid
 * file whose number was reused by another program must never get that program signalled.
 */
export function livePid(pidFile: string, expect: string): number | null {
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0]!.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    return cmdline.includes(expect) ? pid : null;
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `signal`, then SIGKILL if the process is still there after `graceMs`. */
export async function stopPid(pid: number, signal: NodeJS.Signals = "SIGTERM", graceMs = 5000) {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(50);
  if (alive()) process.kill(pid, "SIGKILL");
  while (alive()) await sleep(20);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/** Polls `check` until it holds; the error names `what` and adds `detail()` (a log tail) when it never does. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, detail = () => "") {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s\n${detail()}`);
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}
