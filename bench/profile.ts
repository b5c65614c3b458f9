/**
 * Per-request CPU of the hot routes (issue 15, part 1): the production build under `node
 * --cpu-prof`, one server per scenario, loaded by autocannon on a database kept by `npm run bench --
 * --database NAME`, then the top self-time frames (bench/profile-summary.ts).
 *
 *   npm run build && npx tsx bench/profile.ts NAME [pre-call,next-call] [seconds=10] [connections=10]
 */
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { freePort, serverEnv, startServer } from "./infra.js";
import { runScenario } from "./load.js";
import { sampleNumbers } from "./pgbench.js";
import { samplePhones } from "./database.js";
import { buildScenarios } from "./scenarios.js";
import { agentEmail, agentPassword, login, openSessions, registerAgents } from "./staff.js";
import { databaseUrl } from "./infra.js";

const [dbName, names = "pre-call,next-call", secondsArg = "10", connectionsArg = "10"] = process.argv.slice(2);
if (!dbName) {
  console.error("usage: npx tsx bench/profile.ts DATABASE [scenarios] [seconds] [connections]");
  process.exit(2);
}
const customers = Number(
  execFileSync("psql", [databaseUrl(dbName), "-Atc", "select count(*) from customers where external_ref like 'GEN-%'"])
    .toString()
    .trim(),
);
const { phones } = await samplePhones(dbName, sampleNumbers(customers, 5000));
for (const name of names.split(",")) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-prof-${name}-`));
  const port = await freePort();
  const env = serverEnv(databaseUrl(dbName), port, await freePort());
  const server = await startServer({ ...env, MIGRATE_ON_START: "false" }, port, path.join(dir, "server.log"), [
    "--cpu-prof",
    `--cpu-prof-dir=${dir}`,
  ]);
  try {
    // Registration runs the password-strength check (zxcvbn, ~230 ms each): on a kept database the
    // agents exist, and signing them in keeps that out of the profile.
    const known = Array.from({ length: 50 }, (_, i) => ({ email: agentEmail(i + 1), password: agentPassword(i + 1) }));
    const agents = await login(server.baseUrl, known[0]!).then(
      () => known,
      () => registerAgents(server.baseUrl, 50),
    );
    const tokens = (await openSessions(server.baseUrl, agents, 50)).map((s) => s.token);
    const scenario = buildScenarios({
      baseUrl: server.baseUrl,
      agents,
      tokens,
      phones,
      customers,
      openSessions: (n) => openSessions(server.baseUrl, agents, n),
    }).find((s) => s.name === name);
    if (!scenario) throw new Error(`no scenario ${name}`);
    const r = await runScenario(server.baseUrl, server.pid, scenario, Number(connectionsArg), Number(secondsArg), 2);
    console.log(
      `\n## ${name}: ${r.requests} requests in ${r.seconds} s (${r.rps.toFixed(0)} req/s), server ${r.cpu?.server} cores → ${r.cpu ? ((1000 * r.cpu.server * r.seconds) / r.requests).toFixed(2) : "?"} ms of server CPU per request (whole run incl. warm-up and setup is in the profile)`,
    );
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no profile in ${dir}`);
  console.log(
    execFileSync(process.execPath, [
      "--import",
      "tsx",
      "bench/profile-summary.ts",
      path.join(dir, file),
      "25",
    ]).toString(),
  );
}
