/**
 * `npm run bench`: builds the service, seeds a throwaway PostgreSQL database, starts the
 * production server, loads it with autocannon and reports. The server and the database are
 * always removed, on failure and on Ctrl-C too.
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { measureBcryptCeiling } from "./bcrypt-ceiling.js";
import { startCpuWatch } from "./cpu.js";
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  freePort,
  runCommand,
  serverEnv,
  serverVersion,
  summarizeServerLog,
  withClient,
} from "./infra.js";
import { type LoadResult, runScenario, stopActiveLoad } from "./load.js";
import { parseOptions } from "./options.js";
import { measurePreCallCeiling, type PgbenchResult, sampleNumbers } from "./pgbench.js";
import { checkClaims, databaseExists, samplePhones } from "./database.js";
import { DEFAULT_PROMISE_GRACE_DAYS } from "../src/config.js";
import { type BenchReport, ceilingTable, checkTargets, printReport, resultsTable, writeReport } from "./report.js";
import { buildScenarios } from "./scenarios.js";
import { login, openSessions, probe, registerAgents } from "./staff.js";
import { startTopology, type Topology } from "./topology.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const AGENTS = 50;
/** Customers the phone-driven scenarios ask for (pre-call, search, post-call). */
const PHONE_SAMPLE = 5000;

const options = parseOptions(process.argv.slice(2), process.env);
// --database: a database kept between runs (created and seeded the first time), e.g. at 1,000,000 customers.
const dbName = options.database ?? `bench_crm_${process.pid}`;
const logFile = path.join(os.tmpdir(), `bench-crm-${process.pid}.log`);
let server: Topology | undefined;
let dbCreated = false;

const step = (msg: string) => console.log(`\n▶ ${msg}`);

/** What was measured: the work tree may hold uncommitted changes, which the build includes. */
async function gitState(): Promise<{ commit: string; dirty: boolean } | undefined> {
  try {
    const commit = (await runCommand("git", ["rev-parse", "HEAD"])).trim();
    const dirty = (await runCommand("git", ["status", "--porcelain", "--", "src", "drizzle"])).trim() !== "";
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

/** Idempotent: the `finally` and a signal handler may both get here. */
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    stopActiveLoad();
    if (server) {
      await server.stop().catch((err: unknown) => console.error("stopping the server:", err));
    }
    if (dbCreated) {
      await dropDatabase(dbName).then(
        () => console.log(`dropped database ${dbName}`),
        (err: unknown) => console.error(`could not drop database ${dbName}; drop it by hand:`, err),
      );
    }
  })();
  return cleaning;
}

// `on`, not `once`: tsx forwards the signal a second time when the busy process does not confirm it
// within 30 ms, and with no listener left tsx would exit before the database is dropped.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    console.error(`\n${signal}: stopping the server and dropping ${dbName}…`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const date = new Date().toISOString();
  const url = databaseUrl(dbName);
  const port = await freePort();
  const env = serverEnv(url, port, await freePort());
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, input?: string, echo = false) =>
    runCommand(process.execPath, ["dist/cli/index.js", ...args], { env: { ...env, ...extra }, input, echo });

  step("npm run build");
  await runCommand("npm", ["run", "build"], { env: process.env });

  const reused = options.database !== undefined && (await databaseExists(dbName));
  step(reused ? `reuse database ${dbName} (kept afterwards)` : `create database ${dbName}`);
  if (!reused) await createDatabase(dbName);
  dbCreated = options.database === undefined;

  // `db seed --customers` is refused in production (fake customers), so only the seed runs as
  // development; it also adds the demo staff and sample customers, which the bench ignores.
  step(`seed ${options.customers.toLocaleString("en-US")} customers (NODE_ENV=development for the seed only)`);
  const seedStarted = performance.now();
  await cli(["db", "seed", "--customers", String(options.customers)], { NODE_ENV: "development" }, undefined, true);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // A bulk load leaves the planner without statistics until autovacuum gets round to it (never,
  // where autovacuum is off): plans then pick sequential scans, which a live database with
  // gradually growing tables would not. The bench measures that steady state.
  step("vacuum analyze (planner statistics after the bulk load)");
  const analyzeStarted = performance.now();
  const autovacuum = await withClient(dbName, async (c) => {
    await c.query("vacuum analyze");
    return (await c.query<{ autovacuum: string }>("show autovacuum")).rows[0]!.autovacuum;
  });
  console.log(
    `done in ${((performance.now() - analyzeStarted) / 1000).toFixed(1)} s (autovacuum on this server: ${autovacuum})`,
  );

  step("create the bench admin (crm user create-admin)");
  const admin = cli(
    ["user", "create-admin", "--email", "bench-admin@example.com", "--name", "Bench Admin", "--password-stdin"],
    {},
    "Bench-Admin-Kasbah-2026-0\n",
  );
  // A reused database has it from an earlier run.
  console.log(reused ? await admin.catch(() => "already there") : await admin);

  step(
    `start node dist/server.js on port ${port} (log: ${logFile}); BENCH_INSTANCES=${process.env.BENCH_INSTANCES || "1"}`,
  );
  server = await startTopology(env, logFile);
  console.log(`${server.label}: ${server.baseUrls.join(", ")}`);
  // Setup traffic goes to the first instance; the instances share the database and the JWT secret.
  const baseUrl = server.baseUrls[0]!;

  step(`register ${AGENTS} agents and sign each in`);
  const agents = await registerAgents(baseUrl, AGENTS);
  const tokens = (await openSessions(baseUrl, agents, AGENTS)).map((s) => s.token);

  // Generated customers spread evenly over their numbers (pgbench.ts sampleNumbers), not `order by
  // random()`: pgbench computes the same customers' phones from a random index, so the service and
  // the database ceiling ask for the same rows. Checked against the seed's phone formula.
  const numbers = sampleNumbers(options.customers, PHONE_SAMPLE);
  const { phones, customersSeeded, formulaMatches } = await samplePhones(dbName, numbers);
  console.log(`${customersSeeded.toLocaleString("en-US")} customers in the database; ${phones.length} phones sampled`);
  if (formulaMatches !== numbers.length)
    throw new Error(
      `${formulaMatches} of ${numbers.length} sampled customers have the seed formula's phone: pgbench would ask for other rows`,
    );

  // Before any load, with the server idle: bcrypt gets both cores to itself.
  step(`bcrypt ceiling (${options.ceilingSeconds} s)`);
  const ceilingCpu = startCpuWatch(server.pids);
  const bcryptCeiling = { ...(await measureBcryptCeiling(options.ceilingSeconds)), cpu: ceilingCpu() };
  console.log(
    `${bcryptCeiling.comparesPerSecond.toFixed(1)} compares/s; cores used: ${JSON.stringify(bcryptCeiling.cpu)}`,
  );

  const scenarios = buildScenarios({
    baseUrl,
    agents,
    tokens,
    phones,
    customers: options.customers,
    openSessions: (count) => openSessions(baseUrl, agents, count),
  });

  // A route still being written answers 404: report it instead of measuring 404s.
  const unavailable: { scenario: string; reason: string }[] = [];
  const worklist = await probe(`${baseUrl}/api/crm/worklist?limit=50`, tokens[0]!);
  if (worklist.status === 404)
    unavailable.push({ scenario: "worklist", reason: `GET /api/crm/worklist answered 404: ${worklist.body}` });
  else if (worklist.status !== 200) console.warn(`worklist probe: ${worklist.status} ${worklist.body}`);
  // An empty worklist is a cheap answer: say so, since it would flatter the figure.
  else console.log(`worklist probe: ${worklist.entries ?? "?"} entries`);
  // Sanity check that one login works before loading it (a lockout would spoil the run).
  await login(baseUrl, agents[0]!);

  const results: LoadResult[] = [];
  const ceilings: PgbenchResult[] = [];
  for (const scenario of scenarios) {
    if (unavailable.some((u) => u.scenario === scenario.name)) continue;
    if (options.scenarios.length > 0 && !options.scenarios.includes(scenario.name)) continue;
    for (const connections of options.connections) {
      step(`${scenario.label}, ${connections} connections, ${options.warmup} s warm-up + ${options.duration} s`);
      const result = await runScenario(
        server.baseUrls,
        server.pids,
        scenario,
        connections,
        options.duration,
        options.warmup,
      );
      results.push(result);
      console.log(resultsTable([result]).split("\n").slice(2).join("\n"), JSON.stringify(result.statusCodes));
      // Right after the service, with the same connections and duration: the database alone.
      if (scenario.name === "pre-call") {
        step(`pgbench -M prepared -c ${connections} -T ${options.duration}: the pre-call statement alone`);
        try {
          const { result: ceiling } = await measurePreCallCeiling({
            url,
            connections,
            seconds: options.duration,
            warmupSeconds: options.warmup,
            customers: options.customers,
            sample: PHONE_SAMPLE,
            graceDays: DEFAULT_PROMISE_GRACE_DAYS,
          });
          ceilings.push(ceiling);
          console.log(ceilingTable([result], [ceiling]));
        } catch (err) {
          console.error("pgbench failed:", err instanceof Error ? err.message : err);
        }
      }
    }
  }

  // Stopped before the log is read, so everything the server wrote is flushed to the file.
  const topology = server.label;
  await server.stop();
  server = undefined;

  const claimsCheck = await checkClaims(dbName);
  console.log(`claims in the database: ${JSON.stringify(claimsCheck)}`);

  const report: BenchReport = {
    date,
    machine: {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      cpus: os.cpus().length,
      totalMemoryGiB: os.totalmem() / 1024 ** 3,
      node: process.version,
      postgres: await serverVersion(),
      autovacuum,
    },
    git: await gitState(),
    options: {
      customers: options.customers,
      duration: options.duration,
      warmup: options.warmup,
      connections: options.connections,
    },
    customersSeeded,
    seedSeconds,
    bcryptCeiling,
    topology,
    results,
    ceilings,
    unavailable,
    claimsCheck,
    targets: checkTargets(results, bcryptCeiling, unavailable, claimsCheck, ceilings),
    serverLog: { file: logFile, ...summarizeServerLog(logFile) },
  };
  printReport(report);
  console.log(`\nwritten: ${path.relative(process.cwd(), writeReport(report, path.join(ROOT, "bench", "results")))}`);
}

process.chdir(ROOT);
try {
  await main();
} catch (err) {
  console.error("\nbench failed:", err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
