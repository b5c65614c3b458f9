/**
 * The bench's surroundings: a throwaway PostgreSQL database, the CLI and the server as child
 * processes, and the server's log. Everything here must be undoable from a `finally`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import net from "node:net";
import pg from "pg";

/** Where the throwaway database lives; the brief's default, overridable for other machines. */
export const PG_BASE_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";

export function databaseUrl(name: string): string {
  return `${PG_BASE_URL}/${name}`;
}

/** One short-lived connection per call: the bench's own queries are few and must not hold the pool. */
export async function withClient<T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(name: string): Promise<void> {
  // Identifiers cannot be bound parameters; the name is ours (bench_crm_<pid>), never user input.
  await withClient("postgres", (c) => c.query(`create database "${name}"`));
}

/** `with (force)` (PostgreSQL 13+) ends connections a killed server may have left behind. */
export async function dropDatabase(name: string): Promise<void> {
  await withClient("postgres", (c) => c.query(`drop database if exists "${name}" with (force)`));
}

export async function serverVersion(): Promise<string> {
  return withClient(
    "postgres",
    async (c) => (await c.query<{ server_version: string }>("show server_version")).rows[0]!.server_version,
  );
}

/** Runs a command to completion; its output is shown only on failure, or live when `echo` is set. */
export function runCommand(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; echo?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (opts.echo) process.stdout.write(chunk);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(output);
      else
        reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${output.slice(-4000)}`));
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Asks the OS for a free port; the tiny race before the server binds it is acceptable for a bench. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  baseUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts `node dist/server.js`, sends its output to `logFile` and waits until GET /ready answers 200. */
export async function startServer(
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  /** Node's own flags, e.g. --cpu-prof (bench/profile.ts). */
  nodeArgs: string[] = [],
): Promise<RunningServer> {
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "dist/server.js"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited: string | undefined;
  child.on("exit", (code, signal) => {
    exited = signal ?? `exit ${code}`;
  });
  const baseUrl = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (exited === undefined) {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      // The server's own shutdown deadline is SHUTDOWN_TIMEOUT_MS; past ours it is killed outright.
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await gone;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => log.end(resolve));
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(
        `the server exited (${exited}) before it was ready:\n${readFileSync(logFile, "utf8").slice(-4000)}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/ready`);
      if (res.status === 200) return { baseUrl, pid: child.pid!, logFile, stop };
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`GET /ready did not answer 200 within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface LogSummary {
  /** Lines by pino level name (warn, error, fatal) plus `other` for non-JSON output. */
  counts: Record<string, number>;
  /** The distinct messages, with how often each came, most frequent first (capped). */
  messages: { level: string; msg: string; count: number }[];
}

const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** LOG_LEVEL=warn leaves only warnings and errors in the log: every line is worth a look. */
export function summarizeServerLog(logFile: string): LogSummary {
  const counts: Record<string, number> = {};
  const byMessage = new Map<string, { level: string; msg: string; count: number }>();
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let level = "other";
    let msg = line.slice(0, 300);
    try {
      const entry = JSON.parse(line) as {
        level?: number;
        msg?: string;
        err?: { message?: string };
        res?: { statusCode?: number };
      };
      level = LEVELS[entry.level ?? 0] ?? String(entry.level);
      const status = entry.res?.statusCode ? ` [${entry.res.statusCode}]` : "";
      msg = `${entry.msg ?? ""}${entry.err?.message ? `: ${entry.err.message}` : ""}${status}`.slice(0, 300);
    } catch {}
    counts[level] = (counts[level] ?? 0) + 1;
    const key = `${level} ${msg}`;
    const seen = byMessage.get(key) ?? { level, msg, count: 0 };
    seen.count += 1;
    byMessage.set(key, seen);
  }
  const messages = [...byMessage.values()].sort((a, b) => b.count - a.count).slice(0, 20);
  return { counts, messages };
}

const LIMIT = "1000000";

/** The production server's environment for a measurement: nothing random interferes, no limit trips. */
export function serverEnv(url: string, port: number, smtpPort: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    JWT_SECRET: randomBytes(32).toString("hex"),
    // Required in production. Registration emails a verification code: an SMTP port where nothing
    // listens makes that fail at once (the server carries on) and guarantees nothing leaves the machine.
    EMAIL_USER: "bench@example.invalid",
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(smtpPort),
    SMTP_TIMEOUT_MS: "1000",
    DATABASE_URL: url,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    DB_POOL_MAX: "20",
    // Production would start one worker per core; the figures so far are for one process (and the CPU
    // watch counts the server's own pid only). WEB_CONCURRENCY=2 in the environment compares.
    WEB_CONCURRENCY: process.env.WEB_CONCURRENCY || "1",
    // The periodic promise job would add background queries at random moments of a measurement.
    PROMISE_EVALUATION_INTERVAL_MINUTES: "0",
    CLEANUP_INTERVAL_MINUTES: "0",
    SEED_ON_START: "false",
    // Production defaults to REGISTRATION=approval (202, no account); the bench's agents self-register.
    REGISTRATION: "open",
    // Open all day, every day: otherwise the worklist is empty (nobody callable) at night and on
    // the no-call weekday, and its figure would depend on when the bench happens to run.
    CALL_WINDOW: "00:00-24:00",
    NO_CALL_WEEKDAYS: "none",
    // One sign-in per agent must last the whole bench, however long --duration makes it.
    ACCESS_TOKEN_TTL_SECONDS: "86400",
    SESSION_IDLE_MINUTES: "1440",
    SESSION_MAX_HOURS: "24",
    // Every request comes from 127.0.0.1: the per-IP limits would turn the bench into 429s.
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: LIMIT,
    RATE_LIMIT_LOGIN_FAILURES_PER_IP: LIMIT,
    RATE_LIMIT_REGISTER_PER_IP: LIMIT,
    RATE_LIMIT_REFRESH_PER_IP: LIMIT,
    RATE_LIMIT_REFRESH_FAILURES_PER_IP: LIMIT,
    RATE_LIMIT_OTP_PER_IP: LIMIT,
  };
}
