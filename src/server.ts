import "dotenv/config";
import cluster from "node:cluster";
import { runPrimary, serve } from "./cluster.js";
import { ConfigError, loadConfig } from "./config.js";
import { serializeError } from "./lib/logger.js";

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
  // WEB_CONCURRENCY > 1: this process only supervises; the workers run this file again and serve.
  if (config.WEB_CONCURRENCY > 1 && cluster.isPrimary) await runPrimary(config);
  else await serve(config);
}

main().catch((err) => {
  console.error("failed to start:", serializeError(err).message);
  process.exit(1);
});
