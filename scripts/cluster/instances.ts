/** The service instances: `node --import tsx src/server.ts`, detached so they outlive `npm run cluster -- up`. */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase } from "../../src/db/client.js";
import { runMigrations } from "../../src/db/migrate.js";
import type { Layout } from "./layout.js";
import { httpOk, livePid, stopPid, tail, waitFor } from "./processes.js";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SERVER = "src/server.ts";

/** Shared by every instance (a token signed by one is checked by the other) and by the tests. */
export const CLUSTER_JWT_SECRET = "local-cluster-secret-0123456789abcdefghijklmnopqrstuv";

const files = (l: Layout, i: number) => ({
  pid: path.join(l.serviceDir, `instance-${i}.pid`),
  log: path.join(l.serviceDir, `instance-${i}.log`),
});

/** The environment of instance `i`; the variable names are the service's contract (README, issue 15). */
export function instanceEnv(l: Layout, i: number): Record<string, string> {
  return {
    NODE_ENV: "development",
    HOST: "127.0.0.1",
    PORT: String(l.ports.instances[i]),
    DATABASE_URL: l.urls.pooled,
    DB_NAME: "",
    DATABASE_DIRECT_URL: l.urls.direct,
    DATABASE_REPLICA_URL: l.urls.replica,
    // PgBouncer 1.18 in transaction mode does not carry named prepared statements between transactions.
    DB_PREPARED_STATEMENTS: "false",
    REDIS_URL: l.urls.redis,
    // Two instances of one worker each: the machine has two cores, and the instances are what is tested.
    WEB_CONCURRENCY: "1",
    JWT_SECRET: CLUSTER_JWT_SECRET,
    // `up` migrates once, straight on the primary, before any instance starts: two instances racing for
    // the migration lock through a transaction pooler is exactly what must not happen.
    MIGRATE_ON_START: "false",
    SEED_ON_START: "false",
    LOG_LEVEL: "warn",
    ...l.env,
  };
}

/** Applies pending migrations on the primary (not through PgBouncer: the migration lock is session-level). */
export async function migrate(l: Layout) {
  const database = await createDatabase({
    engine: "postgres",
    connectionString: l.urls.direct,
    poolMax: 1,
    display: l.urls.direct,
  });
  try {
    return await runMigrations(database);
  } finally {
    await database.close();
  }
}

export const instancePid = (l: Layout, i: number) => livePid(files(l, i).pid, SERVER);

function startInstance(l: Layout, i: number) {
  const f = files(l, i);
  mkdirSync(l.serviceDir, { recursive: true });
  const out = openSync(f.log, "a");
  const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...instanceEnv(l, i) },
    detached: true,
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  writeFileSync(f.pid, String(child.pid));
  child.unref();
}

/** Starts the instances that are not running and waits until every one answers /ready. */
export async function ensureInstances(l: Layout) {
  l.ports.instances.forEach((_, i) => {
    if (!instancePid(l, i)) startInstance(l, i);
  });
  await Promise.all(
    l.urls.instances.map((url, i) =>
      waitFor(
        `service instance ${i} (${url})`,
        () => httpOk(`${url}/ready`),
        90_000,
        () => tail(files(l, i).log),
      ),
    ),
  );
}

/** SIGTERM drains in-flight requests; the tests send SIGKILL to one instance to play a crash. */
export async function stopInstance(l: Layout, i: number, signal: NodeJS.Signals = "SIGTERM") {
  const pid = instancePid(l, i);
  if (pid) await stopPid(pid, signal, 15_000);
}

/** One log line in short: the service logs JSON, whose stack traces would drown a test's failure message. */
function shortLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { message?: string; cause?: { message?: string } } };
    return [entry.msg, entry.err?.cause?.message ?? entry.err?.message].filter(Boolean).join(": ");
  } catch {
    return line.slice(0, 400);
  }
}

/** The end of instance i's log, for failure messages. */
export const instanceLog = (l: Layout, i: number) => tail(files(l, i).log, 15).split("\n").map(shortLine).join("\n");
