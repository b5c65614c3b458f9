import { Command, CommanderError } from "commander";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { diagnoseDatabaseError } from "../db/diagnose.js";
import { isDatabaseUnavailable, mapPostgresError } from "../lib/error-mapping.js";
import { AppError } from "../lib/errors.js";
import { serializeError } from "../lib/logger.js";
import { APP_VERSION } from "../lib/version.js";
import { dbMigrate, dbReset, dbSeed, dbStatus, parseCustomerCount } from "./db.js";
import { formatDoctorReport, runDoctor } from "./doctor.js";
import { cleanup, stats } from "./operations.js";
import { createAdmin } from "./user.js";

class CliFailure extends Error {}

/** Where a command reads and writes: the real process in bin, buffers in tests (which run it in-process). */
export interface CliIo {
  env: Record<string, string | undefined>;
  print(line: string): void;
  printError(line: string): void;
  /** Piped input for `--password-stdin`. */
  stdin: AsyncIterable<Buffer | string>;
}

export const processIo = (): CliIo => ({
  env: process.env,
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
  stdin: process.stdin,
});

/** Parses and runs one command line (without the `node crm` part); resolves to the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const { print } = io;

  function config(): Config {
    try {
      return loadConfig(io.env);
    } catch (err) {
      if (err instanceof ConfigError) throw new CliFailure(err.message);
      throw err;
    }
  }

  /** Runs a command and turns database failures into the doctor's one-line diagnosis. */
  function action<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
    return async (...args: A) => {
      try {
        await fn(...args);
      } catch (err) {
        if (err instanceof CliFailure) {
          io.printError(err.message);
        } else if (err instanceof AppError || (mapPostgresError(err) && !isDatabaseUnavailable(err))) {
          const appError = err instanceof AppError ? err : mapPostgresError(err)!;
          const details = appError.details?.map((d) => `\n  ${d.path}: ${d.message}`).join("") ?? "";
          io.printError(`${appError.code}: ${appError.message}${details}`);
        } else {
          let cfg: Config | undefined;
          try {
            cfg = loadConfig(io.env);
          } catch {}
          // Connection failures get the doctor's diagnosis; anything else is a bug worth its stack.
          const d = cfg?.database.engine === "postgres" ? diagnoseDatabaseError(err, cfg.database) : undefined;
          if (d && d.category !== "DATABASE_ERROR") io.printError(`[${d.category}] ${d.message}\nfix: ${d.fix}`);
          // serializeError drops Drizzle's bound parameters (a password hash, an email) from the text.
          else {
            const e = serializeError(err);
            const cause = (e.cause as { message?: string } | undefined)?.message;
            io.printError(`${e.stack || e.message}${cause ? `\ncaused by: ${cause}` : ""}`);
          }
        }
        exitCode = 1;
      }
    };
  }

  const program = new Command("crm")
    .description("Collections CRM: database and operations commands")
    .version(APP_VERSION)
    .showHelpAfterError()
    // Commander must not end the process: tests run commands in-process, and bin sets the exit code.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => print(s.replace(/\n$/, "")),
      writeErr: (s) => io.printError(s.replace(/\n$/, "")),
    });

  const db = program.command("db").description("database: migrations, status, sample data");

  db.command("migrate")
    .description("apply pending migrations (under an advisory lock)")
    .action(action(() => dbMigrate(config(), print)));

  db.command("status")
    .description("engine, server version, applied and pending migrations, row count per table")
    .action(action(() => dbStatus(config(), print)));

  db.command("seed")
    .description("add the sample data (idempotent: running it twice adds nothing)")
    .option(
      "--customers <n>",
      "then generate a portfolio until n GEN- customers exist (load testing)",
      parseCustomerCount,
    )
    .action(
      action(async (opts: { customers?: number }) => {
        const cfg = config();
        if (opts.customers !== undefined && cfg.isProduction)
          throw new CliFailure(
            "refused: `db seed --customers` generates fake customers and is disabled when NODE_ENV=production",
          );
        await dbSeed(cfg, print, opts);
      }),
    );

  db.command("reset")
    .description("drop every table and re-apply the migrations (refused when NODE_ENV=production)")
    .option("--yes", "confirm that all data will be deleted")
    .action(
      action(async (opts: { yes?: boolean }) => {
        const cfg = config();
        if (cfg.isProduction) throw new CliFailure("refused: `db reset` is disabled when NODE_ENV=production");
        if (!opts.yes) throw new CliFailure("refused: this deletes all data; run `crm db reset --yes` to confirm");
        await dbReset(cfg, print);
      }),
    );

  const user = program.command("user").description("staff accounts");

  user
    .command("create-admin")
    .description("create an administrator (the first one of a production install); asks for the password")
    .requiredOption("--email <email>", "login email")
    .requiredOption("--name <name>", "full name")
    .option("--phone <phone>", "mobile number (PHONE_POLICY applies)")
    .option("--password-stdin", "read the password from standard input instead of asking")
    .action(
      action(async (opts: { email: string; name: string; phone?: string; passwordStdin?: boolean }) => {
        await createAdmin(config(), opts, print, io.stdin);
      }),
    );

  program
    .command("cleanup")
    .description("remove expired codes, tokens and sessions and old audit and sign-in history; settle broken promises")
    .option("--dry-run", "only count what would be removed")
    .action(action(async (opts: { dryRun?: boolean }) => cleanup(config(), Boolean(opts.dryRun), print)));

  program
    .command("stats")
    .description("active and locked users, active sessions, sign-ins per day")
    .option("--days <n>", "how many days of sign-ins", "7")
    .action(
      action(async (opts: { days: string }) => {
        const days = Number(opts.days);
        if (!Number.isInteger(days) || days < 1 || days > 366)
          throw new CliFailure("--days must be a whole number from 1 to 366");
        await stats(config(), days, print);
      }),
    );

  program
    .command("doctor")
    .description("check configuration, database, migrations, SMTP login and Redis; print the fix for each failure")
    .action(
      action(async () => {
        const results = await runDoctor(io.env);
        print(formatDoctorReport(results));
        if (results.some((r) => !r.ok)) exitCode = 1;
      }),
    );

  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    // --help and --version end here with code 0; usage errors were already printed.
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return exitCode;
}
