/**
 * The bench's output: a Markdown table on stdout (readable in a terminal, pasteable into
 * docs/benchmarks.md) and every figure in bench/results/<date>.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BcryptCeiling } from "./bcrypt-ceiling.js";
import type { CpuUsage } from "./cpu.js";
import type { LogSummary } from "./infra.js";
import type { LoadResult } from "./load.js";
import type { PgbenchResult } from "./pgbench.js";

export interface Machine {
  os: string;
  cpuModel: string;
  cpus: number;
  totalMemoryGiB: number;
  node: string;
  postgres: string;
  autovacuum: string;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

export interface ClaimsCheck {
  claims: number;
  /** Pairs of claims on one customer whose leases overlap in time: must be 0. */
  overlapping: number;
  liveDuplicates: number;
}

export interface BenchReport {
  date: string;
  machine: Machine;
  git?: { commit: string; dirty: boolean };
  options: { customers: number; duration: number; warmup: number; connections: number[] };
  customersSeeded: number;
  seedSeconds: number;
  /** `cpu.other` shows whether something besides the bench competed during the measurement. */
  bcryptCeiling: BcryptCeiling & { cpu?: CpuUsage };
  /** What served the load: instances, workers, PgBouncer. */
  topology: string;
  results: LoadResult[];
  /** pgbench on the pre-call statement, one per pre-call connection level, run right after it. */
  ceilings: PgbenchResult[];
  unavailable: { scenario: string; reason: string }[];
  /** Claims counted in the database after every scenario ran. */
  claimsCheck?: ClaimsCheck;
  targets: TargetCheck[];
  serverLog: LogSummary & { file: string };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function resultsTable(results: LoadResult[]): string {
  return table(
    [
      "scenario",
      "conns",
      "req/s",
      "p50 ms",
      "p97.5 ms",
      "p99 ms",
      "max ms",
      "requests",
      "errors",
      "non-2xx",
      "unexpected",
      "cores srv/pg/cli/other",
    ],
    results.map((r) => [
      r.scenario,
      String(r.connections),
      fmt(r.rps, 1),
      fmt(r.latencyMs.p50),
      fmt(r.latencyMs.p97_5),
      fmt(r.latencyMs.p99),
      fmt(r.latencyMs.max),
      fmt(r.requests),
      String(r.errors),
      String(r.non2xx),
      String(r.unexpected),
      cores(r.cpu),
    ]),
  );
}

const cores = (cpu: CpuUsage | undefined) =>
  cpu ? [cpu.server, cpu.postgres, cpu.bench, cpu.other].map((c) => c.toFixed(2)).join(" / ") : "n/a";

/** The service's pre-call against pgbench on its statement, at the same connections. */
export function ceilingTable(results: LoadResult[], ceilings: PgbenchResult[]): string {
  const rows: string[][] = [];
  for (const db of ceilings) {
    const svc = results.find((r) => r.scenario === "pre-call" && r.connections === db.connections);
    if (!svc) continue;
    rows.push([
      "pre-call",
      String(db.connections),
      fmt(svc.rps, 1),
      fmt(db.tps, 1),
      (svc.rps / db.tps).toFixed(2),
      fmt(svc.latencyMs.p99),
      fmt(db.latencyMs.p99, 1),
      cores(svc.cpu),
      cores(db.cpu),
    ]);
  }
  return table(
    [
      "route",
      "conns",
      "service req/s",
      "pgbench tps",
      "service / database ceiling",
      "service p99 ms",
      "pgbench p99 ms",
      "service cores srv/pg/cli/other",
      "pgbench cores pgbench/pg/bench/other",
    ],
    rows,
  );
}

/** The targets in docs/benchmarks.md, judged at the highest connection level that was run. */
export function checkTargets(
  results: LoadResult[],
  ceiling: BcryptCeiling,
  unavailable: { scenario: string }[],
  claimsCheck?: ClaimsCheck,
  ceilings: PgbenchResult[] = [],
): TargetCheck[] {
  const top = (name: string) =>
    results.filter((r) => r.scenario === name).sort((a, b) => b.connections - a.connections)[0];
  const checks: TargetCheck[] = [];

  const pre = top("pre-call");
  checks.push(
    pre
      ? {
          target: "pre-call ≥ 2,000 req/s with p99 < 50 ms at 50 connections",
          measured: `${fmt(pre.rps)} req/s, p99 ${fmt(pre.latencyMs.p99)} ms at ${pre.connections} connections`,
          met: pre.connections >= 50 ? pre.rps >= 2000 && pre.latencyMs.p99 < 50 : null,
        }
      : { target: "pre-call ≥ 2,000 req/s with p99 < 50 ms", measured: "not run", met: null },
  );

  const db = pre && ceilings.find((c) => c.connections === pre.connections);
  checks.push(
    pre && db
      ? {
          target: "pre-call ≥ 0.6 of the database ceiling (pgbench, same statement) with p99 < 50 ms at 50 connections",
          measured: `${(pre.rps / db.tps).toFixed(2)} (${fmt(pre.rps)} req/s against ${fmt(db.tps)} tps), p99 ${fmt(pre.latencyMs.p99)} ms (pgbench ${fmt(db.latencyMs.p99, 1)} ms) at ${pre.connections} connections`,
          met: pre.connections >= 50 ? pre.rps / db.tps >= 0.6 && pre.latencyMs.p99 < 50 : null,
        }
      : { target: "pre-call ≥ 0.6 of the database ceiling", measured: "pgbench not run", met: null },
  );

  const work = top("worklist");
  checks.push(
    work
      ? {
          target: "worklist under 100 ms (p99)",
          measured: `p50 ${fmt(work.latencyMs.p50)} ms, p99 ${fmt(work.latencyMs.p99)} ms at ${work.connections} connections`,
          met: work.unexpected === 0 && work.latencyMs.p99 < 100,
        }
      : {
          target: "worklist under 100 ms (p99)",
          measured: unavailable.some((u) => u.scenario === "worklist") ? "route not available" : "not run",
          met: null,
        },
  );

  const next = top("next-call");
  const claimsPerSecond = next ? (next.counters?.claims ?? 0) / next.seconds : 0;
  checks.push(
    next
      ? {
          target: "next-call ≥ 800 claims/s with p99 < 100 ms at 50 connections, zero duplicate claims in the database",
          measured: `${fmt(claimsPerSecond)} claims/s (each followed by its post-call), p99 ${fmt(next.latencyMs.p99)} ms over both requests at ${next.connections} connections; ${claimsCheck ? `${fmt(claimsCheck.claims)} claims, ${claimsCheck.overlapping} overlapping, ${claimsCheck.liveDuplicates} live duplicates` : "database not checked"}`,
          met:
            next.connections >= 50
              ? claimsPerSecond >= 800 &&
                next.latencyMs.p99 < 100 &&
                claimsCheck?.overlapping === 0 &&
                claimsCheck.liveDuplicates === 0
              : null,
        }
      : { target: "next-call ≥ 800 claims/s with p99 < 100 ms at 50 connections", measured: "not run", met: null },
  );

  const logins = results.filter((r) => r.scenario === "login");
  const best = logins.sort((a, b) => b.rps - a.rps)[0];
  checks.push(
    best
      ? {
          target: "login ≥ 80% of the bcrypt ceiling",
          measured: `${fmt(best.rps, 1)} logins/s (${best.connections} conns) = ${fmt((100 * best.rps) / ceiling.comparesPerSecond)}% of ${fmt(ceiling.comparesPerSecond, 1)} compares/s`,
          met: best.rps >= 0.8 * ceiling.comparesPerSecond,
        }
      : { target: "login ≥ 80% of the bcrypt ceiling", measured: "not run", met: null },
  );
  return checks;
}

export function printReport(report: BenchReport): void {
  const m = report.machine;
  console.log(`\n## Results ${report.date}`);
  console.log(
    `machine: ${m.cpus} × ${m.cpuModel}, ${fmt(m.totalMemoryGiB, 1)} GiB, Node ${m.node}, PostgreSQL ${m.postgres}, ${m.os}`,
  );
  if (report.git)
    console.log(
      `code: ${report.git.commit.slice(0, 12)}${report.git.dirty ? " + uncommitted changes under src/ or drizzle/" : ""}`,
    );
  console.log(
    `customers: ${fmt(report.customersSeeded)} (seeded in ${fmt(report.seedSeconds, 1)} s); ${report.options.duration} s per run after ${report.options.warmup} s warm-up\n`,
  );
  console.log(`served by: ${report.topology}\n`);
  console.log(resultsTable(report.results));
  if (report.ceilings.length > 0) {
    console.log(
      "\npre-call against the database's ceiling (pgbench -M prepared on the same statement, same connections and duration):\n",
    );
    console.log(ceilingTable(report.results, report.ceilings));
  }
  for (const u of report.unavailable) console.log(`\n${u.scenario}: not available (${u.reason})`);
  const c = report.bcryptCeiling;
  console.log(
    `\nbcrypt ceiling: ${fmt(c.comparesPerSecond, 1)} compares/s (cost ${c.cost}, ${c.concurrency} in flight, threadpool ${c.threadpoolSize}, ${fmt(c.seconds, 1)} s)` +
      (c.cpu
        ? `; cores used: bench ${c.cpu.bench}, server ${c.cpu.server}, postgres ${c.cpu.postgres}, other ${c.cpu.other}`
        : ""),
  );
  console.log("\nstatus codes and counters:");
  for (const r of report.results) {
    const counters = r.counters ? ` ${JSON.stringify(r.counters)}` : "";
    console.log(
      `  ${r.scenario.padEnd(10)} ${String(r.connections).padStart(3)}: ${JSON.stringify(r.statusCodes)}${counters}`,
    );
  }
  console.log("\ntargets:");
  for (const t of report.targets)
    console.log(`  ${t.met === null ? "n/a " : t.met ? "MET " : "MISS"}  ${t.target}: ${t.measured}`);
  const log = report.serverLog;
  console.log(`\nserver log (${log.file}): ${JSON.stringify(log.counts)}`);
  for (const msg of log.messages.slice(0, 10))
    console.log(`  ${String(msg.count).padStart(6)} × ${msg.level}: ${msg.msg}`);
}

export function writeReport(report: BenchReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  // Colons are not allowed in Windows file names; the rest of the ISO date stays.
  const file = path.join(dir, `${report.date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z")}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
