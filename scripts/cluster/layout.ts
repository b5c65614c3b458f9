/**
 * Where each part of the local cluster lives: one work directory and a block of consecutive ports, so a
 * developer's cluster and a test's cluster never meet (each picks its own directory and base port).
 */
import { tmpdir } from "node:os";
import path from "node:path";

export interface ClusterOptions {
  /** The work directory; everything is created under it and `down` removes it. */
  dir?: string;
  /** Primary = base, standby = base+1, PgBouncer = base+2, Redis = base+3, instances = base+10… */
  basePort?: number;
  /** How many service instances (2 by default). */
  instances?: number;
  /** Extra environment for the service instances (call window, token lifetimes…). */
  env?: Record<string, string>;
}

export const DATABASE = "crm";
// Below Linux's ephemeral range (32768–60999): a client socket's local port there would make a
// server's bind fail with "address already in use" although nothing listens on it.
export const DEFAULT_BASE_PORT = 25430;

export function layoutOf(options: ClusterOptions = {}) {
  const dir = path.resolve(options.dir ?? process.env.CLUSTER_DIR ?? path.join(tmpdir(), "crm-cluster"));
  const base = options.basePort ?? Number(process.env.CLUSTER_BASE_PORT ?? DEFAULT_BASE_PORT);
  const count = options.instances ?? 2;
  const pgDir = path.join(dir, "pg");
  const ports = {
    primary: base,
    standby: base + 1,
    pgbouncer: base + 2,
    redis: base + 3,
    instances: Array.from({ length: count }, (_, i) => base + 10 + i),
  };
  const pgUrl = (port: number) => `postgres://postgres@127.0.0.1:${port}/${DATABASE}`;
  return {
    dir,
    ports,
    /** Owned by the postgres user: data directories, sockets, PgBouncer's files and their logs. */
    pgDir,
    primaryData: path.join(pgDir, "primary"),
    standbyData: path.join(pgDir, "standby"),
    socketDir: path.join(pgDir, "run"),
    bouncerDir: path.join(pgDir, "bouncer"),
    redisDir: path.join(dir, "redis"),
    serviceDir: path.join(dir, "service"),
    env: options.env ?? {},
    urls: {
      /** The primary itself: migrations, session-level advisory locks, admin work. */
      direct: pgUrl(ports.primary),
      /** Through PgBouncer (transaction pooling): what the instances use for their queries. */
      pooled: pgUrl(ports.pgbouncer),
      /** The hot standby: reads. */
      replica: pgUrl(ports.standby),
      redis: `redis://127.0.0.1:${ports.redis}`,
      instances: ports.instances.map((p) => `http://127.0.0.1:${p}`),
    },
  };
}

export type Layout = ReturnType<typeof layoutOf>;
