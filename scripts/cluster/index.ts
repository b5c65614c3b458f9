/**
 * A PostgreSQL 15 primary, its hot standby, PgBouncer (transaction pooling), Redis and N service
 * instances on this one machine, from Debian's packages, all under one work directory (issue 15, part 4).
 * `up` starts whatever is not running and leaves the rest (idempotent); `down` stops everything and
 * removes the directory. test/cluster.test.ts drives the same functions in-process.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensurePgbouncer, ensureRedis, pgbouncerRunning, redisRunning, stopPgbouncer, stopRedis } from "./daemons.js";
import { ensureInstances, instancePid, migrate, stopInstance } from "./instances.js";
import { type ClusterOptions, type Layout, layoutOf } from "./layout.js";
import { ensurePrimary, ensureStandby, pgRunning, stopPg } from "./postgres.js";
import { missingBinaries, portOpen } from "./processes.js";

export { type ClusterOptions, type Layout, layoutOf } from "./layout.js";
export { CLUSTER_JWT_SECRET, instanceEnv, instanceLog, instancePid, stopInstance } from "./instances.js";
export { startStandby, stopStandby } from "./postgres.js";
export { missingBinaries } from "./processes.js";

/** `down` deletes the work directory only when this file says the cluster made it. */
const MARKER = ".crm-cluster";

/** Each part, whether it is running, and where. */
export function componentsOf(l: Layout) {
  return [
    { name: "primary", port: l.ports.primary, url: l.urls.direct, running: () => pgRunning(l.primaryData) },
    { name: "standby", port: l.ports.standby, url: l.urls.replica, running: () => pgRunning(l.standbyData) },
    { name: "pgbouncer", port: l.ports.pgbouncer, url: l.urls.pooled, running: () => pgbouncerRunning(l) },
    { name: "redis", port: l.ports.redis, url: l.urls.redis, running: () => redisRunning(l) },
    ...l.ports.instances.map((port, i) => ({
      name: `instance ${i}`,
      port,
      url: l.urls.instances[i]!,
      running: () => instancePid(l, i) !== null,
    })),
  ];
}

/** A port held by something that is not our part would make that part fail obscurely: say so up front. */
async function checkPorts(l: Layout) {
  const taken: string[] = [];
  for (const c of componentsOf(l)) {
    if (!c.running() && (await portOpen(c.port))) taken.push(`${c.name} (port ${c.port})`);
  }
  if (taken.length > 0) {
    throw new Error(`ports in use by something else: ${taken.join(", ")}; pick another CLUSTER_BASE_PORT`);
  }
}

export async function clusterUp(options: ClusterOptions = {}): Promise<Layout> {
  const missing = missingBinaries();
  if (missing.length > 0)
    throw new Error(`missing: ${missing.join(", ")} (apt-get install postgresql-15 pgbouncer redis-server)`);
  const l = layoutOf(options);
  mkdirSync(l.dir, { recursive: true });
  writeFileSync(
    path.join(l.dir, MARKER),
    "made by scripts/cluster; `npm run cluster -- down` removes this directory\n",
  );
  await checkPorts(l);
  await ensurePrimary(l);
  // Before the base backup, so the standby starts with the schema; before the instances, which do not migrate.
  await migrate(l);
  await ensureStandby(l);
  await Promise.all([ensurePgbouncer(l), ensureRedis(l)]);
  await ensureInstances(l);
  return l;
}

/** Stops everything and removes the directory; false when there was no cluster there. */
export async function clusterDown(options: ClusterOptions = {}): Promise<boolean> {
  const l = layoutOf(options);
  if (!existsSync(l.dir)) return false;
  if (!existsSync(path.join(l.dir, MARKER)))
    throw new Error(`${l.dir} was not made by scripts/cluster; not touching it`);
  // Clients first, so nothing reconnects while the servers go; `immediate` because the data is deleted next.
  await Promise.all(l.ports.instances.map((_, i) => stopInstance(l, i)));
  await Promise.all([stopPgbouncer(l), stopRedis(l)]);
  stopPg(l.standbyData, "immediate");
  stopPg(l.primaryData, "immediate");
  rmSync(l.dir, { recursive: true, force: true });
  return true;
}

export function clusterStatus(options: ClusterOptions = {}) {
  const l = layoutOf(options);
  return { layout: l, components: componentsOf(l).map((c) => ({ name: c.name, url: c.url, running: c.running() })) };
}
