/**
 * Who used the cores during a run: the server, PostgreSQL, the bench itself (autocannon) and
 * everything else. On a 2-core machine shared with the load generator, and possibly with other
 * work (a test run, a compiler), a figure means little without this. Linux /proc only; elsewhere
 * the watch returns undefined.
 */
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

/** In cores: 1.0 is one core fully busy for the whole run. */
export interface CpuUsage {
  cores: number;
  busy: number;
  server: number;
  postgres: number;
  bench: number;
  other: number;
}

interface Snapshot {
  total: number;
  idle: number;
  server: number;
  /** Per backend, so one that exits during the run does not subtract its whole life. */
  postgres: Map<number, number>;
  bench: number;
}

/** utime + stime of a process, in clock ticks; the command name is in parentheses and may hold spaces. */
function processTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state is field 3 of the file, utime 14 and stime 15.
  return Number(fields[11]) + Number(fields[12]);
}

function snapshot(serverPid: number): Snapshot {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: guest time is already inside user.
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const postgres = new Map<number, number>();
  let server = 0;
  let bench = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited between readdir and read
    }
    const pid = Number(entry);
    if (pid === serverPid) server = processTicks(stat);
    else if (pid === process.pid) bench = processTicks(stat);
    else if (stat.includes("(postgres)")) postgres.set(pid, processTicks(stat));
  }
  return { total, idle, server, postgres, bench };
}

export function startCpuWatch(serverPid: number): () => CpuUsage | undefined {
  let start: Snapshot;
  try {
    start = snapshot(serverPid);
  } catch {
    return () => undefined;
  }
  return () => {
    const end = snapshot(serverPid);
    const cores = os.cpus().length;
    // /proc/stat counts ticks over all cores: one core's worth of ticks is the total over cores.
    const perCore = (end.total - start.total) / cores;
    if (perCore <= 0) return undefined;
    const c = (ticks: number) => Math.round((100 * ticks) / perCore) / 100;
    const busy = c(end.total - start.total - (end.idle - start.idle));
    const server = c(end.server - start.server);
    // A backend born during the run counts from zero; one that ended is missed (the server's pool keeps them open).
    let pgTicks = 0;
    for (const [pid, ticks] of end.postgres) pgTicks += ticks - (start.postgres.get(pid) ?? 0);
    const postgres = c(pgTicks);
    const bench = c(end.bench - start.bench);
    return {
      cores,
      busy,
      server,
      postgres,
      bench,
      other: Math.round(100 * Math.max(0, busy - server - postgres - bench)) / 100,
    };
  };
}
