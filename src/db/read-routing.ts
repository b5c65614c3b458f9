import cluster from "node:cluster";
import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { type Database, type Db, type QueryNamed, queryRows } from "./client.js";
import { lsnValue, type ReplicaState } from "./replica.js";
import type { FastifyRequest } from "fastify";
import type { Services } from "../services.js";

/** Where one request's reads go: the replica when it has everything this actor wrote, else the primary. */
export interface Reader {
  db: Db;
  queryNamed: QueryNamed;
  onReplica: boolean;
}

/** The replica as /ready and `crm doctor` report it. */
export interface ReplicaStatus {
  display: string;
  reachable: boolean;
  lagSeconds: number | null;
  maxLagSeconds: number;
  /** Reads go there now (reachable and lag within REPLICA_MAX_LAG_SECONDS). */
  serving: boolean;
  problem?: string;
}

export interface ReadRouter {
  readonly enabled: boolean;
  /** The reader for one request by `actor` (a user or API key id; null for anonymous reads). */
  for(actor: string | null | undefined): Promise<Reader>;
  /** After `actor`'s write committed: their reads stay on the primary until the replica replays it. */
  noteWrite(actor: string): Promise<void>;
  status(): ReplicaStatus | undefined;
  /** Reads sent each way since start (operators and tests). */
  counts: { replica: number; primary: number };
}

/** The primary position each actor must see, kept a minute (past REPLICA_MAX_LAG_SECONDS it is moot). */
export interface WriteMarks {
  get(actor: string): Promise<string | undefined>;
  set(actor: string, lsn: string): Promise<void>;
}

const MARK_TTL_SECONDS = 60;
const RELAY = "crm:write-mark";

/**
 * In this process, and relayed to the sibling workers through the cluster primary: the next request
 * may land on another worker. The relay is asynchronous (an IPC hop, well under a client's round
 * trip), so several instances, or a guarantee, need Redis (REDIS_URL).
 */
export function memoryWriteMarks(): WriteMarks {
  const marks = new Map<string, { lsn: string; until: number }>();
  const remember = (actor: string, lsn: string) => {
    const previous = marks.get(actor);
    if (previous && lsnValue(previous.lsn) > lsnValue(lsn)) return;
    marks.set(actor, { lsn, until: Date.now() + MARK_TTL_SECONDS * 1000 });
    if (marks.size > 10_000) for (const [k, v] of marks) if (v.until < Date.now()) marks.delete(k);
  };
  if (cluster.isWorker) {
    process.on("message", (m: { type?: string; actor?: string; lsn?: string }) => {
      if (m?.type === RELAY && m.actor && m.lsn) remember(m.actor, m.lsn);
    });
  }
  return {
    async get(actor) {
      const mark = marks.get(actor);
      return mark && mark.until > Date.now() ? mark.lsn : undefined;
    },
    async set(actor, lsn) {
      remember(actor, lsn);
      if (cluster.isWorker) process.send?.({ type: RELAY, actor, lsn });
    },
  };
}

/** The cluster primary passes each worker's write marks to the others (see memoryWriteMarks). */
export function relayWriteMarks(
  from: { id: number },
  message: unknown,
  workers: { id: number; send(m: unknown): unknown }[],
) {
  if ((message as { type?: string })?.type !== RELAY) return;
  for (const w of workers) if (w.id !== from.id) w.send(message);
}

export function redisWriteMarks(redis: Redis, prefix: string): WriteMarks {
  const key = (actor: string) => `${prefix}write-lsn:${actor}`;
  return {
    // Redis down: no mark is known, and the replica's lag bound still holds.
    get: async (actor) => (await redis.get(key(actor)).catch(() => null)) ?? undefined,
    set: async (actor, lsn) => {
      await redis.set(key(actor), lsn, "EX", MARK_TTL_SECONDS).catch(() => undefined);
    },
  };
}

export function createReadRouter(database: Database, marks: WriteMarks): ReadRouter {
  const replica = database.replica;
  const primary: Reader = { db: database.db, queryNamed: database.queryNamed, onReplica: false };
  const counts = { replica: 0, primary: 0 };
  const serving = (s: ReplicaState) => s.reachable && s.lagSeconds !== null && s.lagSeconds <= replica!.maxLagSeconds;
  if (!replica) {
    return { enabled: false, for: async () => primary, noteWrite: async () => {}, status: () => undefined, counts };
  }
  const onReplica: Reader = { db: replica.db, queryNamed: replica.queryNamed, onReplica: true };
  const choose = async (actor: string | null | undefined): Promise<Reader> => {
    const state = replica.state();
    if (!serving(state) || state.replayLsn === null) return primary;
    const mark = actor ? await marks.get(actor) : undefined;
    if (mark && lsnValue(mark) > lsnValue(state.replayLsn)) return primary;
    return onReplica;
  };
  return {
    enabled: true,
    async for(actor) {
      const reader = await choose(actor);
      counts[reader.onReplica ? "replica" : "primary"]++;
      return reader;
    },
    async noteWrite(actor) {
      const [row] = await queryRows<{ lsn: string }>(database.db, sql`select pg_current_wal_lsn()::text as lsn`);
      if (row) await marks.set(actor, row.lsn);
    },
    status() {
      const s = replica.state();
      return {
        display: replica.display,
        reachable: s.reachable,
        lagSeconds: s.lagSeconds === null ? null : Math.round(s.lagSeconds * 10) / 10,
        maxLagSeconds: replica.maxLagSeconds,
        serving: serving(s),
        ...(s.problem && !s.reachable ? { problem: s.problem } : {}),
      };
    },
    counts,
  };
}

// Per request: routes of read-only calls ask where to read (modules import this, not plugins/, which
// would tie every module to the wiring).
/** Whose writes a request's reads must see: the signed-in user or the API key. */
export const readerActorOf = (request: FastifyRequest) => request.auth?.userId ?? request.apiKey?.id ?? null;

/** Where this request may read: the replica, unless the caller's own last write has not reached it. */
export const readerFor = (request: FastifyRequest, services: Services): Promise<Reader> =>
  services.reads.for(readerActorOf(request));

/** Services whose `db` and `queryNamed` read where this request may read; only for read-only calls. */
export async function readServices(request: FastifyRequest, services: Services): Promise<Services> {
  const reader = await readerFor(request, services);
  return reader.onReplica ? { ...services, db: reader.db, queryNamed: reader.queryNamed } : services;
}
