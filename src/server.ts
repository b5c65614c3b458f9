import "dotenv/config";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { serializeError } from "./lib/logger.js";
import { describeStartupFailure } from "./lib/startup-failure.js";

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config);
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    console.error(describeStartupFailure(err, config));
    process.exit(1);
  }
  app.log.info(
    { engine: app.database.engine, database: app.database.display, env: config.NODE_ENV },
    `serving on http://${config.HOST}:${config.PORT} (database: ${app.database.engine}, ${app.database.display}); API reference at /docs`,
  );

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
}

main().catch((err) => {
  console.error("failed to start:", serializeError(err).message);
  process.exit(1);
});
