import cluster, { type Worker } from "node:cluster";
import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import { createDatabase } from "./db/client.js";
import { ensureDatabaseExists } from "./db/create.js";
import { runMigrations } from "./db/migrate.js";
import { relayWriteMarks } from "./db/read-routing.js";
import { describeStartupFailure } from "./lib/startup-failure.js";

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;

/** The primary's few lines, in the workers' (pino's) JSON shape so one log stream reads alike. */
function primaryLogger(config: Config) {
  const threshold = LEVELS[config.LOG_LEVEL as keyof typeof LEVELS] ?? LEVELS.info;
  const write = (level: number) => (obj: object, msg?: string) => {
    if (level < threshold) return;
    process.stdout.write(
      `${JSON.stringify({ level, time: Date.now(), pid: process.pid, role: "primary", ...obj, msg })}\n`,
    );
  };
  return { info: write(LEVELS.info), warn: write(LEVELS.warn), error: write(LEVELS.error) };
}

/** A worker that dies after serving is replaced, unless workers keep dying: then the primary gives up. */
const MAX_RESTARTS_PER_MINUTE = 5;

/**
 * The cluster primary: applies migrations once, forks WEB_CONCURRENCY workers (each serves HTTP with
 * its own pool; the listening socket is shared), relays read-your-writes marks between them, replaces
 * a worker that crashes, and on SIGTERM/SIGINT drains every worker and exits 0 when all did.
 */
export async function runPrimary(config: Config): Promise<void> {
  const log = primaryLogger(config);
  if (config.MIGRATE_ON_START) {
    // Once, before any worker: N workers would queue on the migration lock, and a failing migration
    // would crash every one of them.
    try {
      await ensureDatabaseExists(config.database, log);
      const database = await createDatabase(config.database, log);
      const applied = await runMigrations(database).finally(() => database.close());
      if (applied.length > 0) log.info({ applied }, `applied ${applied.length} migration(s)`);
    } catch (err) {
      console.error(describeStartupFailure(err, config));
      process.exit(1);
    }
  }

  if (!config.REDIS_URL) {
    log.warn(
      { workers: config.WEB_CONCURRENCY },
      "no REDIS_URL: each worker keeps its own rate-limit counters (a limit allows up to WEB_CONCURRENCY times as much); set REDIS_URL to share them",
    );
  }
  const listened = new Set<number>();
  const restarts: number[] = [];
  let closing = false;
  let failed = false;
  const fork = () => cluster.fork({ MIGRATE_ON_START: "false" });
  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));

  const stopAll = (signal: string, exitCode: number) => {
    if (closing) return;
    closing = true;
    failed = exitCode !== 0;
    log.info({ signal, workers: workers().length }, "shutting down: draining every worker");
    for (const w of workers()) w.process.kill("SIGTERM");
    // Workers have their own SHUTDOWN_TIMEOUT_MS; this only covers one that hangs past it.
    const deadline = setTimeout(() => {
      log.error({}, "workers did not stop in time; killing them");
      for (const w of workers()) w.process.kill("SIGKILL");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 2000);
    deadline.unref();
    if (workers().length === 0) process.exit(exitCode);
  };

  cluster.on("message", (worker, message) => relayWriteMarks(worker, message, workers()));
  cluster.on("listening", (worker) => {
    listened.add(worker.id);
    if (listened.size === config.WEB_CONCURRENCY) {
      log.info(
        { workers: config.WEB_CONCURRENCY },
        `serving on http://${config.HOST}:${config.PORT} with ${config.WEB_CONCURRENCY} workers`,
      );
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    if (closing) {
      if (code !== 0 || signal) failed = true;
      if (workers().length === 0) {
        log.info({}, failed ? "shut down with errors" : "shut down cleanly");
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    if (!listened.has(worker.id)) {
      // It never served: the others are failing the same way (the reason is on stderr already).
      log.error({ code }, "a worker failed to start; stopping");
      stopAll("startup failure", 1);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      log.error({ restarts: restarts.length }, "workers keep dying; stopping");
      stopAll("crash loop", 1);
      return;
    }
    log.error({ code, signal, workerPid: worker.process.pid }, "a worker died; starting another");
    fork();
  });
  process.on("SIGTERM", () => stopAll("SIGTERM", 0));
  process.on("SIGINT", () => stopAll("SIGINT", 0));
  for (let i = 0; i < config.WEB_CONCURRENCY; i++) fork();
}

/** One process serving HTTP: the only one (WEB_CONCURRENCY=1) or a cluster worker. */
export async function serve(config: Config): Promise<void> {
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config);
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    console.error(describeStartupFailure(err, config));
    process.exit(1);
  }
  if (cluster.isWorker) {
    app.log.info({ worker: cluster.worker?.id }, "worker started");
  } else {
    app.log.info(
      { engine: app.database.engine, database: app.database.display, env: config.NODE_ENV },
      `serving on http://${config.HOST}:${config.PORT} (database: ${app.database.engine}, ${app.database.display}); API reference at /docs`,
    );
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
    // A stuck request or connection must not keep the process past the deadline.
    const deadline = setTimeout(() => {
      app.log.error("graceful shutdown timed out; exiting");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    app.close().then(
      () => {
        app.log.info("shut down cleanly");
        process.exit(0);
      },
      (err) => {
        app.log.error({ err }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // The primary gone (killed): nobody hands this worker connections any more.
  if (cluster.isWorker) process.on("disconnect", () => shutdown("primary gone"));
}
