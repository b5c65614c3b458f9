import type { Layout } from "../../scripts/cluster/index.js";
import { withClient } from "../../scripts/cluster/postgres.js";
import { portOpen } from "../../scripts/cluster/processes.js";
import type { Headers } from "./crm.js";

/** A base port whose block (base … base+11) is free, so a test cluster never meets a developer's. */
export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    // Below the ephemeral range (32768–60999), where other tests' client sockets take local ports that
    // a listening server could then not bind (seen: "could not bind … Address already in use").
    const base = 20_000 + Math.floor(Math.random() * 600) * 20;
    const ports = [0, 1, 2, 3, 10, 11].map((d) => base + d);
    const open = await Promise.all(ports.map(portOpen));
    if (!open.some(Boolean)) return base;
  }
  throw new Error("no free block of ports for the cluster");
}

export interface HttpAnswer {
  /** 0 when the instance did not answer at all (refused, reset: a killed process). */
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A real HTTP request to an instance; a connection error is an answer with status 0, not a throw. */
export async function http(base: string, method: string, url: string, headers: Headers, payload?: unknown) {
  try {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...headers, ...(payload === undefined ? {} : { "content-type": "application/json" }) },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null } as HttpAnswer;
  } catch (err) {
    return { status: 0, body: { error: (err as Error).message } } as HttpAnswer;
  }
}

/** Runs `fn` with a client on one of the cluster's servers (direct, never through PgBouncer). */
export const onServer = withClient;

/** PgBouncer's client connections to the service's database, from its admin console. */
export async function bouncerClients(l: Layout): Promise<number> {
  const url = `postgres://postgres@127.0.0.1:${l.ports.pgbouncer}/pgbouncer`;
  return onServer(url, async (client) => {
    const { rows } = await client.query<{ database: string }>("SHOW CLIENTS");
    return rows.filter((r) => r.database === "crm").length;
  });
}

/**
 * Scans of `customers` on a server since it started (the standby keeps its own counts). The test's
 * own helper never reads the standby, so a rise there is the service's reads.
 */
export async function customerScansOn(url: string): Promise<number> {
  return onServer(url, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      "select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as n from pg_stat_user_tables where relname = 'customers'",
    );
    return Number(rows[0]?.n ?? 0);
  });
}

/** Pauses (or resumes) WAL replay on the standby: what it serves then lags behind the primary. */
export const setReplayPaused = (url: string, paused: boolean) =>
  onServer(url, (client) => client.query(paused ? "select pg_wal_replay_pause()" : "select pg_wal_replay_resume()"));
