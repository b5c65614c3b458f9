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
  /** Per process of the server trees (a cluster primary and its workers), for the same reason as postgres. */
  server: Map<number, number>;
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

/** The parent pid, the field after the state. */
function parentPid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/**
 * The server's CPU is its whole process tree: with WEB_CONCURRENCY > 1 the primary only forks and
 * supervises, and the requests are served by its node:cluster workers (children of the primary).
 */
function snapshot(serverPids: readonly number[]): Snapshot {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: guest time is already inside user.
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const postgres = new Map<number, number>();
  const server = new Map<number, number>();
  let bench = 0;
  const stats = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), readFileSync(`/proc/${entry}/stat`, "utf8"));
    } catch {
      continue; // exited between readdir and read
    }
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const parent = parentPid(stat);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const tree = new Set<number>();
  const queue = [...serverPids];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (tree.has(pid) || !stats.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  for (const [pid, stat] of stats) {
    if (tree.has(pid)) server.set(pid, processTicks(stat));
    else if (pid === process.pid) bench = processTicks(stat);
    else if (stat.includes("(postgres)")) postgres.set(pid, processTicks(stat));
  }
  return { total, idle, server, postgres, bench };
}

/** Ticks used since `start` by the processes of `end` (one born in between counts from zero). */
function delta(start: Map<number, number>, end: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of end) ticks += t - (start.get(pid) ?? 0);
  return ticks;
}

/** `serverPids`: the server processes (several instances, or any process to watch as "server"), each with its children. */
export function startCpuWatch(serverPids: number | readonly number[]): () => CpuUsage | undefined {
  const roots = typeof serverPids === "number" ? [serverPids] : serverPids;
  let start: Snapshot;
  try {
    start = snapshot(roots);
  } catch {
    return () => undefined;
  }
  return () => {
    const end = snapshot(roots);
    const cores = os.cpus().length;
    // /proc/stat counts ticks over all cores: one core's worth of ticks is the total over cores.
    const perCore = (end.total - start.total) / cores;
    if (perCore <= 0) return undefined;
    const c = (ticks: number) => Math.round((100 * ticks) / perCore) / 100;
    const busy = c(end.total - start.total - (end.idle - start.idle));
    // A process born during the run counts from zero; one that ended is missed (the server's pool
    // keeps backends open, and workers live as long as the server).
    const server = c(delta(start.server, end.server));
    const postgres = c(delta(start.postgres, end.postgres));
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
