/**
 * autocannon, driven programmatically, reduced to the figures the report keeps.
 */
import autocannon from "autocannon";
import { type CpuUsage, startCpuWatch } from "./cpu.js";
import type { Scenario } from "./scenarios.js";

export interface LoadResult {
  scenario: string;
  connections: number;
  seconds: number;
  /** Responses received during the measured window. */
  requests: number;
  /** Mean of autocannon's per-second samples. */
  rps: number;
  latencyMs: { average: number; p50: number; p97_5: number; p99: number; max: number };
  /** Socket errors and timeouts (no HTTP answer at all). */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Answers with a status other than the scenario's expected one (e.g. 200 instead of 201). */
  unexpected: number;
  statusCodes: Record<string, number>;
  counters?: Record<string, number>;
  /** Cores used during the measured window, by whom (Linux only). */
  cpu?: CpuUsage;
}

let active: autocannon.Instance | undefined;
let stopped = false;

/** Lets the SIGINT handler end a run at once, and refuses any later one. */
export function stopActiveLoad(): void {
  stopped = true;
  active?.stop();
}

function fire(opts: autocannon.Options): Promise<autocannon.Result> {
  if (stopped) return Promise.reject(new Error("interrupted"));
  return new Promise((resolve, reject) => {
    active = autocannon(opts, (err, result) => {
      active = undefined;
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(result);
    });
  });
}

/** Several base URLs (instances behind a load balancer): autocannon spreads the connections over them round-robin. */
export async function runScenario(
  baseUrl: string | string[],
  serverPid: number | readonly number[],
  scenario: Scenario,
  connections: number,
  seconds: number,
  warmupSeconds: number,
): Promise<LoadResult> {
  // autocannon takes an array of URLs and spreads the connections over them; its typings say string only.
  const base = { url: baseUrl as string, connections, pipelining: 1, timeout: 30 };
  if (warmupSeconds > 0) {
    await scenario.prepare?.(connections);
    await fire({ ...base, duration: warmupSeconds, requests: scenario.requests() });
  }
  await scenario.prepare?.(connections);
  const before = scenario.counters?.();
  const cpuDone = startCpuWatch(serverPid);
  const r = await fire({ ...base, duration: seconds, requests: scenario.requests() });
  const cpu = cpuDone();

  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  const answered = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const after = scenario.counters?.();
  // Counters accumulate across runs; the report wants this run's share (gauges like poolLeft as is).
  const counters =
    after && before
      ? Object.fromEntries(
          Object.entries(after).map(([k, v]) => [k, k === "poolLeft" || k === "freeAgents" ? v : v - (before[k] ?? 0)]),
        )
      : undefined;
  return {
    scenario: scenario.name,
    connections,
    seconds,
    requests: answered,
    rps: r.requests.average,
    latencyMs: {
      average: r.latency.average,
      p50: r.latency.p50,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    unexpected:
      answered -
      (scenario.expectedStatuses ?? [scenario.expectedStatus]).reduce(
        (n, code) => n + (statusCodes[String(code)] ?? 0),
        0,
      ),
    statusCodes,
    counters,
    cpu,
  };
}
