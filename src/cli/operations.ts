import type { Config } from "../config.js";
import { runCleanup } from "../modules/maintenance/cleanup.js";
import { loginStats, userStats } from "../modules/stats/service.js";
import { createServices } from "../services.js";
import type { Database } from "../db/client.js";
import { getMigrationStatus } from "../db/migrate.js";
import { withDatabase } from "./db.js";
import { cliLogger } from "./logger.js";

type Print = (line: string) => void;

/** These commands read the current schema: on an old database, say so instead of failing in SQL. */
async function requireMigrated(database: Database) {
  const status = await getMigrationStatus(database.db);
  if (status.pending.length > 0) {
    throw new Error(`the database has ${status.pending.length} pending migration(s): run \`crm db migrate\` first`);
  }
}

/** `crm cleanup [--dry-run]`: what each job removed (or would), per table. */
export function cleanup(config: Config, dryRun: boolean, print: Print) {
  return withDatabase(config, async (database) => {
    await requireMigrated(database);
    const services = createServices(database, config, cliLogger);
    try {
      const result = await runCleanup(services, database, { dryRun });
      if (!result.ran) {
        print("another instance is running the clean-up right now; nothing done");
        return;
      }
      const verb = dryRun ? "would remove" : "removed";
      for (const step of result.steps) {
        const what =
          step.name === "evaluate_promises"
            ? dryRun
              ? "would mark broken"
              : "marked broken"
            : step.name === "cleanup_expired_sessions"
              ? dryRun
                ? "would end"
                : "ended"
              : verb;
        print(`${step.name.padEnd(32)} ${step.table.padEnd(24)} ${what} ${step.removed}`);
      }
    } finally {
      await services.close();
    }
  });
}

/** `crm stats`: the user and sign-in figures of the admin API, for a terminal. */
export function stats(config: Config, days: number, print: Print) {
  return withDatabase(config, async (database) => {
    await requireMigrated(database);
    const services = createServices(database, config, cliLogger);
    try {
      const users = await userStats(services);
      print(`active users:    ${users.totalActiveUsers}`);
      print(`locked users:    ${users.totalLockedUsers}`);
      print(`active sessions: ${users.activeSessions}`);
      const logins = await loginStats(services, {
        interval: "day",
        from: new Date(services.clock.now().getTime() - days * 86_400_000).toISOString(),
      });
      print(
        `sign-ins over the last ${days} day(s) (${logins.timezone}): ${logins.total.successes} succeeded, ${logins.total.failures} failed`,
      );
      for (const row of logins.data)
        print(
          `  ${row.periodStart.slice(0, 10)}  ${String(row.successes).padStart(6)} ok  ${String(row.failures).padStart(6)} failed`,
        );
    } finally {
      await services.close();
    }
  });
}
