/**
 * The database's ceiling for pre-call: pgbench (`-M prepared`) running the very statement the
 * pre-call route sends, with the same connections and duration as the service's run. The ratio of
 * the two is how much of what PostgreSQL alone could answer the service delivers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { loadPreCall } from "../src/modules/calling/repository.js";
import { phoneOf } from "../src/modules/customers/seed-scale-sql.js";
import { type CpuUsage, startCpuWatch } from "./cpu.js";

export const PGBENCH = process.env.PGBENCH_BIN ?? "/usr/bin/pgbench";

/**
 * The customers the pre-call scenario asks for, by generated number (GEN-<n>): `sample` of them
 * spread evenly over 1..customers. pgbench cannot hold a list, but it can compute this from a
 * random index, so both sides ask for the same customers.
 */
export function sampleNumbers(customers: number, sample: number): number[] {
  const size = Math.min(customers, sample);
  return Array.from({ length: size }, (_, i) => 1 + Math.floor((i * customers) / size));
}

// Never a real phone: marks where the statement binds the dialled number.
const PHONE_MARK = "+bench-phone-mark";

/**
 * The pre-call statement as pgbench script text. It is built by the repository's own code (the
 * function the route calls, with a capturing runner) and rendered by drizzle's PgDialect, as
 * src/db/client.ts does, so it cannot drift from what the service sends. The phone parameters
 * become the seed generator's phone formula (seed-scale-sql.ts `phoneOf`) of the customer number
 * `:n`: pgbench's `\set` computes only numbers, and with custom plans PostgreSQL folds the formula
 * to a constant, as if the phone had been bound. No helper table is needed. The other parameters
 * (the request's time, the grace days) become `-D` variables with the values of `now`.
 */
export function preCallScript(
  now: Date,
  graceDays: number,
  customers: number,
  sample: number,
): { script: string; defines: string[] } {
  let captured: SQL | undefined;
  void loadPreCall(
    async <T>(_name: string, query: SQL) => {
      captured = query;
      return [] as T[];
    },
    { phone: PHONE_MARK },
    now,
    graceDays,
  );
  if (!captured) throw new Error("loadPreCall did not build its statement synchronously");
  const { sql: text, params } = new PgDialect().sqlToQuery(captured);
  const defines: string[] = [];
  const statement = text.replace(/\$(\d+)/g, (_, digits: string) => {
    const value = params[Number(digits) - 1];
    if (value === PHONE_MARK) return `(${phoneOf(":n")})`;
    defines.push(`p${digits}=${String(value)}`);
    return `:p${digits}`;
  });
  if (!params.includes(PHONE_MARK)) throw new Error("the pre-call statement binds no phone: has loadPreCall changed?");
  const size = Math.min(customers, sample);
  const script = [
    `\\set i random(0, ${size - 1})`,
    // sampleNumbers(): 1 + floor(i × customers / size), in integer arithmetic.
    `\\set n 1 + (:i * ${customers}) / ${size}`,
    `${statement.replace(/\s+/g, " ").trim()};`,
    "",
  ].join("\n");
  return { script, defines };
}

export interface PgbenchResult {
  connections: number;
  seconds: number;
  transactions: number;
  tps: number;
  latencyMs: { average: number; p50: number; p99: number; max: number };
  failed: number;
  /** `server` here is pgbench itself (the client). */
  cpu?: CpuUsage;
}

function runPgbench(args: string[], onStart?: (child: ChildProcess) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PGBENCH, args, { stdio: ["ignore", "pipe", "pipe"] });
    onStart?.(child);
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`pgbench exited ${code}:\n${output.slice(-3000)}`)),
    );
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Warm-up, then the measured run with a per-transaction log (pgbench prints no percentiles; the
 * log's third column is each transaction's latency in µs). One pgbench thread, like autocannon.
 */
export async function measurePreCallCeiling(opts: {
  url: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  customers: number;
  sample: number;
  graceDays: number;
}): Promise<{ result: PgbenchResult; script: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-pgbench-"));
  try {
    const { script, defines } = preCallScript(new Date(), opts.graceDays, opts.customers, opts.sample);
    const file = path.join(dir, "pre-call.sql");
    writeFileSync(file, script);
    const base = ["-n", "-M", "prepared", "-c", String(opts.connections), "-j", "1", "-f", file];
    for (const d of defines) base.push("-D", d);
    if (opts.warmupSeconds > 0) await runPgbench([...base, "-T", String(opts.warmupSeconds), opts.url]);
    // Read while pgbench and its backends still exist: at its exit they are gone from /proc.
    let cpu: CpuUsage | undefined;
    let timer: NodeJS.Timeout | undefined;
    const output = await runPgbench(
      [...base, "-T", String(opts.seconds), "-l", `--log-prefix=${path.join(dir, "log")}`, opts.url],
      (child) => {
        const done = startCpuWatch(child.pid!);
        timer = setTimeout(() => (cpu = done()), opts.seconds * 1000);
      },
    ).finally(() => clearTimeout(timer));
    const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? Number.NaN);
    const latencies: number[] = [];
    for (const name of readdirSync(dir).filter((f) => f.startsWith("log"))) {
      for (const line of readFileSync(path.join(dir, name), "utf8").split("\n")) {
        const us = Number(line.split(" ")[2]);
        if (line && Number.isFinite(us)) latencies.push(us / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      script,
      result: {
        connections: opts.connections,
        seconds: opts.seconds,
        transactions: num(/number of transactions actually processed: (\d+)/),
        tps: num(/tps = ([\d.]+) \(without initial connection time\)/),
        latencyMs: {
          average: num(/latency average = ([\d.]+) ms/),
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          max: latencies.at(-1) ?? 0,
        },
        failed: num(/number of failed transactions: (\d+)/) || 0,
        cpu,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
