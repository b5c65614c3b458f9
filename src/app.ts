import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Config } from "./config.js";
import { createDatabase, type Database } from "./db/client.js";
import { runMigrations } from "./db/migrate.js";
import { ensureDatabaseExists } from "./db/create.js";
import { runSeedsLocked } from "./db/seed.js";
import { documentErrors } from "./lib/http-schemas.js";
import { loggerOptions } from "./lib/logger.js";
import { fastifyTrustProxy } from "./lib/networks.js";
import type { Clock } from "./lib/clock.js";
import { runPromiseEvaluation } from "./modules/promises/service.js";
import { runCleanup } from "./modules/maintenance/cleanup.js";
import { appModules } from "./modules/index.js";
import { registerAuth } from "./plugins/auth.js";
import { createServices, type Services } from "./services.js";
import { registerErrorHandling, sendError, toAppError } from "./plugins/error-handler.js";
import { registerOpenApi } from "./plugins/openapi.js";
import { registerReadRouting } from "./plugins/read-routing.js";
import { clientErrorHandler, registerInputGuard } from "./plugins/input-guard.js";
import { generateRequestId, registerRequestContext } from "./plugins/request-context.js";
import { registerSecurity } from "./plugins/security.js";

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    database: Database;
    /** Every route as registered, so a test can prove each one is in the OpenAPI document. */
    routeCatalog: { method: string; url: string; hidden: boolean }[];
    services: Services;
  }
}

export interface BuildOptions {
  /** An already open database (tests share one PGlite instance); otherwise opened from config. */
  database?: Database;
  /** Where log lines go instead of stdout (tests read them to check redaction). */
  logStream?: { write(line: string): void };
  /** Tests move time with a manual clock; the server uses the system clock. */
  clock?: Clock;
  /** Where the built web console is (default console/dist); tests point it at a fixture. */
  consoleDir?: string;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the whole service; server.ts, the CLI and the tests all go through here. */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: { ...loggerOptions(config), ...(options.logStream ? { stream: options.logStream } : {}) },
    // Fastify's two lines per request are replaced by one access-log line (request-context.ts).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    genReqId: generateRequestId,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(config.TRUST_PROXY),
    return503OnClosing: true,
    ajv: { customOptions: { allErrors: true } },
    clientErrorHandler,
    // A URL Fastify cannot decode (e.g. /api/loans/%ED%A0%80) is answered before routing: same error shape.
    frameworkErrors: (error, request, reply) => sendError(request, reply, toAppError(error)),
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (!options.database) await ensureDatabaseExists(config.database, app.log);
  const database = options.database ?? (await createDatabase(config.database, app.log));
  app.decorate("config", config);
  app.decorate("database", database);
  // A database passed in belongs to the caller, who closes it.
  if (!options.database) app.addHook("onClose", async () => database.close());

  if (config.MIGRATE_ON_START) {
    const applied = await runMigrations(database);
    if (applied.length > 0) app.log.info({ applied }, `applied ${applied.length} migration(s)`);
  }
  app.decorate("routeCatalog", []);
  // Every route documents the one error shape, with the statuses and catalogue codes it can return.
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      app.routeCatalog.push({ method, url: route.url, hidden: Boolean(route.schema?.hide) });
    }
    if (route.schema?.hide) return;
    route.schema = { ...route.schema, response: documentErrors(route as Parameters<typeof documentErrors>[0]) };
  });

  const services = createServices(database, config, app.log, options.clock);
  await services.ready();
  app.decorate("services", services);
  app.addHook("onClose", async () => services.close());

  if (config.SEED_ON_START) {
    const report = await runSeedsLocked(database, { services, log: (m) => app.log.info(m) });
    const created = report.filter((r) => r.created > 0);
    if (created.length > 0) app.log.info({ seeded: created }, "sample data added");
  }

  registerRequestContext(app);
  registerErrorHandling(app);
  registerInputGuard(app);
  await registerSecurity(app, config);
  await registerOpenApi(app);
  registerAuth(app, services);
  registerReadRouting(app, services);

  startPeriodicJobs(app, services, database);

  for (const module of appModules) {
    for (const group of module.routes) {
      if (group.devOnly && config.isProduction) continue;
      await app.register(group.plugin, { prefix: group.prefix, services, consoleDir: options.consoleDir });
    }
  }

  return app;
}

/**
 * Background work on timers (0 disables each): promise evaluation, and the clean-up jobs. With several
 * instances on one database, advisory locks let one instance run each round.
 */
function startPeriodicJobs(app: FastifyInstance, services: Services, database: Database) {
  const timers: NodeJS.Timeout[] = [];
  const every = (minutes: number, name: string, job: () => Promise<unknown>) => {
    if (minutes <= 0) return;
    const timer = setInterval(() => {
      job().catch((err) => app.log.warn({ err, job: name }, `${name} failed; will retry next round`));
    }, minutes * 60_000);
    timer.unref();
    timers.push(timer);
  };
  app.addHook("onReady", async () => {
    services.mailOutbox.start();
    every(services.config.PROMISE_EVALUATION_INTERVAL_MINUTES, "promise evaluation", async () => {
      const r = await runPromiseEvaluation(services, database);
      if (r.broken > 0) app.log.info({ broken: r.broken }, "promise evaluation: promises marked broken");
    });
    every(services.config.CLEANUP_INTERVAL_MINUTES, "clean-up", async () => {
      const r = await runCleanup(services, database);
      if (r.ran) app.log.info({ steps: r.steps.filter((s) => s.removed > 0) }, "clean-up done");
    });
  });
  app.addHook("onClose", async () => {
    for (const t of timers) clearInterval(t);
  });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
