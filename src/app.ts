import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Config } from "./config.js";
import { createDatabase, type Database } from "./db/client.js";
import { runMigrations } from "./db/migrate.js";
import { runSeeds } from "./db/seed.js";
import { defaultErrorResponses } from "./lib/http-schemas.js";
import { loggerOptions } from "./lib/logger.js";
import type { Clock } from "./lib/clock.js";
import { legacyAuthRoutes } from "./modules/auth/legacy-routes.js";
import { authRoutes } from "./modules/auth/routes.js";
import { apiKeyRoutes } from "./modules/api-keys/routes.js";
import { callingRoutes } from "./modules/calling/routes.js";
import { customerRoutes } from "./modules/customers/routes.js";
import { healthRoutes } from "./modules/health/routes.js";
import { interactionRoutes } from "./modules/interactions/routes.js";
import { loanRoutes } from "./modules/loans/routes.js";
import { paymentRoutes } from "./modules/payments/routes.js";
import { devOutboxRoutes } from "./modules/mail/routes.js";
import { passwordResetRoutes } from "./modules/password-reset/routes.js";
import { runPromiseEvaluation } from "./modules/promises/service.js";
import { userRoutes } from "./modules/users/routes.js";
import { registerAuth } from "./plugins/auth.js";
import { createServices, type Services } from "./services.js";
import { registerErrorHandling } from "./plugins/error-handler.js";
import { registerOpenApi } from "./plugins/openapi.js";
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
    trustProxy: config.TRUST_PROXY,
    return503OnClosing: true,
    ajv: { customOptions: { allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

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
  // Every route documents the one error shape, unless it declares its own for a status.
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      app.routeCatalog.push({ method, url: route.url, hidden: Boolean(route.schema?.hide) });
    }
    if (route.schema?.hide) return;
    route.schema = {
      ...route.schema,
      response: { ...defaultErrorResponses, ...(route.schema?.response ?? {}) },
    };
  });

  const services = createServices(database.db, config, app.log, options.clock);
  await services.ready();
  app.decorate("services", services);
  app.addHook("onClose", async () => services.close());

  if (config.SEED_ON_START) {
    const report = await runSeeds({ services, log: (m) => app.log.info(m) });
    const created = report.filter((r) => r.created > 0);
    if (created.length > 0) app.log.info({ seeded: created }, "sample data added");
  }

  registerRequestContext(app);
  registerErrorHandling(app);
  await registerSecurity(app, config);
  await registerOpenApi(app);
  registerAuth(app, services);

  startPeriodicJobs(app, services, database);

  await app.register(healthRoutes);
  await app.register(authRoutes, { services });
  await app.register(userRoutes, { services });
  await app.register(legacyAuthRoutes, { services });
  await app.register(passwordResetRoutes, { services });
  await app.register(customerRoutes, { services });
  await app.register(loanRoutes, { services });
  await app.register(paymentRoutes, { services });
  await app.register(interactionRoutes, { services });
  await app.register(callingRoutes, { services });
  await app.register(apiKeyRoutes, { services });
  if (!config.isProduction) await app.register(devOutboxRoutes, { services });

  return app;
}

/** Promise evaluation on a timer (0 disables); with several instances, an advisory lock picks one. */
function startPeriodicJobs(app: FastifyInstance, services: Services, database: Database) {
  const minutes = services.config.PROMISE_EVALUATION_INTERVAL_MINUTES;
  if (minutes <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  app.addHook("onReady", async () => {
    timer = setInterval(() => {
      runPromiseEvaluation(services, database).then(
        (r) => r.broken > 0 && app.log.info({ broken: r.broken }, "promise evaluation: promises marked broken"),
        (err) => app.log.warn({ err }, "promise evaluation failed; will retry next round"),
      );
    }, minutes * 60_000);
    timer.unref();
  });
  app.addHook("onClose", async () => clearInterval(timer));
}

export type App = Awaited<ReturnType<typeof buildApp>>;
