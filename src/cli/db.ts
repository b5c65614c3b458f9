import { InvalidArgumentError } from "commander";
import { sql } from "drizzle-orm";
import { type Config, type DatabaseTarget, redactConnectionString } from "../config.js";
import { createDatabase, type Database, queryRows } from "../db/client.js";
import { countRowsPerTable, getMigrationStatus, runMigrations } from "../db/migrate.js";
import { runSeedsLocked } from "../db/seed.js";
import { MAX_PORTFOLIO_CUSTOMERS, seedPortfolio } from "../modules/customers/seed-scale.js";
import { createServices } from "../services.js";
import { cliLogger } from "./logger.js";

type Print = (line: string) => void;

/**
 * `direct`: migrations, seeding and reset go to DATABASE_DIRECT_URL when set, as one session with
 * named statements and the startup options (a transaction pooler keeps neither); no replica.
 */
export async function withDatabase<T>(
  config: Config,
  fn: (database: Database) => Promise<T>,
  direct = false,
): Promise<T> {
  const database = await createDatabase(direct ? directTarget(config.database) : config.database);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function dbMigrate(config: Config, print: Print) {
  return withDatabase(
    config,
    async (database) => {
      const applied = await runMigrations(database);
      print(applied.length > 0 ? `applied: ${applied.join(", ")}` : "already up to date");
    },
    true,
  );
}

function directTarget(target: DatabaseTarget): DatabaseTarget {
  if (target.engine !== "postgres" || !target.directConnectionString) return target;
  return {
    engine: "postgres",
    connectionString: target.directConnectionString,
    poolMax: target.poolMax,
    display: redactConnectionString(target.directConnectionString),
  };
}

export function dbStatus(config: Config, print: Print) {
  return withDatabase(config, async (database) => {
    const [version] = await queryRows<{ server_version: string }>(database.db, sql`show server_version`);
    const status = await getMigrationStatus(database.db);
    print(`engine:     ${database.engine} (PostgreSQL ${version?.server_version ?? "?"})`);
    print(`database:   ${database.display}`);
    print(`migrations: ${status.applied.length} applied, ${status.pending.length} pending`);
    for (const m of status.applied) print(`  ✔ ${m.tag}`);
    for (const tag of status.pending) print(`  … ${tag} (pending)`);
    const counts = await countRowsPerTable(database.db);
    print(counts.length > 0 ? "rows:" : "rows:       no tables yet (run `crm db migrate`)");
    for (const { table, rows } of counts) print(`  ${table.padEnd(28)} ${rows}`);
  });
}

/** `--customers <n>`: a whole number from 1, refused with the reason instead of seeding NaN rows. */
export function parseCustomerCount(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PORTFOLIO_CUSTOMERS)
    throw new InvalidArgumentError(
      `expected a positive integer up to ${MAX_PORTFOLIO_CUSTOMERS}, e.g. --customers 100000`,
    );
  return n;
}

/** `[#####.....]  50% 50000/100000` */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}`;
}

/** Redraws one line on a terminal; piped into a file or CI log, one line per batch reads better. */
function progressReporter(print: Print) {
  const tty = process.stdout.isTTY === true;
  let open = false;
  return {
    update: (done: number, total: number) => {
      if (!tty) return print(progressBar(done, total));
      process.stdout.write(`\r${progressBar(done, total)}`);
      open = true;
    },
    end: () => {
      if (open) process.stdout.write("\n");
      open = false;
    },
  };
}

export function dbSeed(config: Config, print: Print, opts: { customers?: number } = {}) {
  return withDatabase(
    config,
    async (database) => {
      await runMigrations(database);
      const services = createServices(database, config, cliLogger);
      const now = services.clock.now();
      const report = await runSeedsLocked(database, { services, log: print }).finally(() => services.close());
      if (report.length === 0) print("nothing to seed yet");
      for (const r of report) print(`${r.name}: ${r.created} created`);
      if (opts.customers === undefined) return;

      print(`generated portfolio: up to ${opts.customers} customers (GEN-1…GEN-${opts.customers})`);
      const started = performance.now();
      const progress = progressReporter(print);
      const result = await seedPortfolio(database.db, {
        customers: opts.customers,
        now,
        graceDays: config.PROMISE_GRACE_DAYS,
        onProgress: progress.update,
        onStage: (stage) => {
          progress.end();
          print(`generated portfolio: ${stage}…`);
        },
      }).finally(progress.end);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      print(
        `generated portfolio: ${result.created} customers created (${Math.min(result.existing, opts.customers)} already there), ` +
          `${result.loans} loans, ${result.payments} payments, ${result.interactions} interactions, ${result.promises} promises`,
      );
      print(`elapsed: ${seconds} s`);
      if (result.created > 0) {
        // After a bulk load, fresh statistics and a visibility map are what make the planner pick (and
        // index-only scans use) the indexes, instead of waiting for autovacuum, which may even be off.
        await database.db.execute(sql`vacuum analyze`);
        print("vacuum analyze: done");
      }
    },
    true,
  );
}

/** Drops every table and re-applies the migrations; refused in production whatever the flags. */
export function dbReset(config: Config, print: Print) {
  return withDatabase(
    config,
    async (database) => {
      await database.db.execute(sql`drop schema if exists drizzle cascade`);
      await database.db.execute(sql`drop schema if exists public cascade`);
      await database.db.execute(sql`create schema public`);
      const applied = await runMigrations(database);
      print(`database reset; applied: ${applied.join(", ")}`);
    },
    true,
  );
}
