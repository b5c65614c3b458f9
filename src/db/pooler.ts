/** What one connection tells about the path to the server. */
export interface ConnectionProbe {
  /** A pooler answered the start-up: the backend pid it announced is not the server's. */
  pooler: boolean;
  /** max_parallel_workers_per_gather as the database/role default sets it (no startup options sent). */
  parallelWorkersPerGather: string;
}

/**
 * PgBouncer hands every client its own cancel key with a made-up backend pid (it cannot give out
 * the server's: one client uses many server connections), so the pid announced at start-up differs
 * from `pg_backend_pid()`. A port mapping or a TCP proxy keeps them equal; only a pooler does this.
 */
export async function probeConnection(connectionString: string): Promise<ConnectionProbe> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; parallel: string }>(
      "select pg_backend_pid() as pid, current_setting('max_parallel_workers_per_gather') as parallel",
    );
    const announced = (client as unknown as { processID?: number }).processID;
    return { pooler: announced !== rows[0]?.pid, parallelWorkersPerGather: rows[0]?.parallel ?? "?" };
  } finally {
    await client.end().catch(() => undefined);
  }
}
