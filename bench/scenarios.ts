/**
 * The measured scenarios. Each request varies (a random customer, a new callId, the next agent)
 * so PostgreSQL cannot answer everything from one hot row and idempotency never short-cuts work.
 */
import type autocannon from "autocannon";
import { LAST_NAMES } from "../src/modules/customers/seed-data.js";
import type { Agent, Session } from "./staff.js";

export interface ScenarioContext {
  baseUrl: string;
  agents: Agent[];
  /** One access token per agent; requests rotate through them like a floor of agents would. */
  tokens: string[];
  /** E.164 phones of existing customers, sampled at random from the database. */
  phones: string[];
  customers: number;
  /** Fresh sessions for the refresh chain: `count` new logins, never measured. */
  openSessions(count: number): Promise<Session[]>;
}

export interface Scenario {
  name: string;
  label: string;
  expectedStatus: number;
  /** When a scenario's cycle mixes routes (next-call 200, then post-call 201): every status it expects. */
  expectedStatuses?: number[];
  /** Before each autocannon run (warm-up and measurement alike). */
  prepare?(connections: number): Promise<void>;
  requests(): autocannon.Request[];
  /** Scenario-specific counters for the report (e.g. refresh tokens that ran out). */
  counters?(): Record<string, number>;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function rotation<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

const json = { "content-type": "application/json" };

/** A GET with a new path and the next agent's token on every request. */
function authedGet(ctx: ScenarioContext, path: () => string): autocannon.Request[] {
  const nextToken = rotation(ctx.tokens);
  return [
    {
      method: "GET",
      setupRequest: (req) => ({
        ...req,
        path: path(),
        headers: { ...req.headers, authorization: `Bearer ${nextToken()}` },
      }),
    },
  ];
}

export function buildScenarios(ctx: ScenarioContext): Scenario[] {
  // Distinct across warm-up and every connection level, and across bench runs on one database.
  const runTag = `${process.pid}-${Date.now().toString(36)}`;
  let callCounter = 0;

  const searchTerm = (): string => {
    const kind = Math.floor(Math.random() * 3);
    if (kind === 0) return pick(LAST_NAMES);
    if (kind === 1) return pick(ctx.phones);
    return `GEN-${1 + Math.floor(Math.random() * ctx.customers)}`;
  };

  const nextAgent = rotation(ctx.agents);

  // The refresh chain: a queue of unused refresh tokens. A token leaves the queue when it is sent
  // and only the token in a 200 answer comes back, so no token can ever be presented twice; a
  // request lost at the end of a run just retires its session.
  let refreshPool: string[] = [];
  const refreshCounters = { poolEmpty: 0, issued: 0, rejected: 0, sessionsOpened: 0 };

  return [
    {
      name: "pre-call",
      label: "GET /api/crm/pre-call?phone=<random customer>",
      expectedStatus: 200,
      requests: () => authedGet(ctx, () => `/api/crm/pre-call?phone=${encodeURIComponent(pick(ctx.phones))}`),
    },
    {
      name: "worklist",
      label: "GET /api/crm/worklist?limit=50",
      expectedStatus: 200,
      requests: () => authedGet(ctx, () => "/api/crm/worklist?limit=50"),
    },
    {
      name: "search",
      label: "GET /api/customers?q=<surname|phone|GEN-n>&limit=25",
      expectedStatus: 200,
      requests: () => authedGet(ctx, () => `/api/customers?q=${encodeURIComponent(searchTerm())}&limit=25`),
    },
    {
      name: "post-call",
      label: "POST /api/crm/post-call (new callId each)",
      expectedStatus: 201,
      requests: () => {
        const nextToken = rotation(ctx.tokens);
        const dispositions = ["no_answer", "busy", "voicemail"] as const;
        return [
          {
            method: "POST",
            path: "/api/crm/post-call",
            setupRequest: (req) => ({
              ...req,
              headers: { ...req.headers, ...json, authorization: `Bearer ${nextToken()}` },
              body: JSON.stringify({
                callId: `bench-${runTag}-${++callCounter}`,
                phone: pick(ctx.phones),
                direction: "outbound",
                startedAt: new Date().toISOString(),
                durationSeconds: 30,
                disposition: pick(dispositions),
              }),
            }),
          },
        ];
      },
    },
    nextCallScenario(ctx, runTag),
    {
      name: "login",
      label: "POST /api/auth/login (50 agents, bcrypt cost 10)",
      expectedStatus: 200,
      requests: () => [
        {
          method: "POST",
          path: "/api/auth/login",
          setupRequest: (req) => {
            const agent = nextAgent();
            return {
              ...req,
              headers: { ...req.headers, ...json },
              body: JSON.stringify({ emailOrPhone: agent.email, password: agent.password }),
            };
          },
        },
      ],
    },
    {
      name: "refresh",
      label: "POST /api/auth/refresh (chained single-use tokens)",
      expectedStatus: 200,
      // Each connection holds at most one token in flight; a margin covers sessions retired by
      // requests cut off at the end of the previous run.
      async prepare(connections) {
        const wanted = connections + 10;
        if (refreshPool.length >= wanted) return;
        const sessions = await ctx.openSessions(wanted - refreshPool.length);
        refreshCounters.sessionsOpened += sessions.length;
        refreshPool = refreshPool.concat(sessions.map((s) => s.refresh));
      },
      requests: () => [
        {
          method: "POST",
          path: "/api/auth/refresh",
          setupRequest: (req) => {
            const token = refreshPool.shift();
            // An empty pool would be a harness bug; the placeholder gets a 401 that the report shows.
            if (token === undefined) refreshCounters.poolEmpty += 1;
            return {
              ...req,
              headers: { ...req.headers, ...json },
              body: JSON.stringify({ refresh: token ?? "bench-pool-empty" }),
            };
          },
          onResponse: (status, body) => {
            if (status !== 200) {
              refreshCounters.rejected += 1;
              return;
            }
            const next = (JSON.parse(body) as { refresh?: string }).refresh;
            if (next) {
              refreshCounters.issued += 1;
              refreshPool.push(next);
            }
          },
        },
      ],
      counters: () => ({ ...refreshCounters, poolLeft: refreshPool.length }),
    },
  ];
}

/**
 * Each virtual agent claims with next-call, then records a `no_answer` post-call for the claimed
 * customer, which releases the claim. autocannon resets a connection's context at every cycle, so an
 * agent is taken from a free list for the cycle and given back when it ends: no two connections
 * ever act as one agent (an agent holds one claim at a time).
 */
function nextCallScenario(ctx: ScenarioContext, runTag: string): Scenario {
  const free = [...ctx.tokens];
  const counters = { claims: 0, empty: 0, postCalls: 0, noAgent: 0 };
  let seq = 0;
  type Cycle = { token?: string; customerId?: string };
  return {
    name: "next-call",
    label: "POST /api/crm/next-call, then POST /api/crm/post-call no_answer (releases the claim)",
    expectedStatus: 200,
    expectedStatuses: [200, 201],
    // Cycles cut off at the end of the previous run never gave their agent back.
    async prepare() {
      free.splice(0, free.length, ...ctx.tokens);
    },
    requests: () => [
      {
        method: "POST",
        path: "/api/crm/next-call",
        setupRequest: (req, context: Cycle) => {
          const token = free.shift();
          if (token === undefined) counters.noAgent += 1;
          context.token = token;
          return { ...req, headers: { ...req.headers, authorization: `Bearer ${token ?? "no-free-agent"}` } };
        },
        onResponse: (status, body, context: Cycle) => {
          const claim = status === 200 ? (JSON.parse(body) as { claim: { customerId: string } | null }).claim : null;
          if (claim) {
            counters.claims += 1;
            context.customerId = claim.customerId;
          } else {
            counters.empty += 1;
            if (context.token) free.push(context.token);
            context.token = undefined;
          }
        },
      },
      {
        method: "POST",
        path: "/api/crm/post-call",
        // No claim: skip the post-call and start the next cycle.
        setupRequest: (req, context: Cycle) =>
          context.token && context.customerId
            ? {
                ...req,
                headers: { ...req.headers, ...json, authorization: `Bearer ${context.token}` },
                body: JSON.stringify({
                  callId: `bench-nc-${runTag}-${++seq}`,
                  customerId: context.customerId,
                  direction: "outbound",
                  startedAt: new Date().toISOString(),
                  durationSeconds: 25,
                  disposition: "no_answer",
                }),
              }
            : (undefined as unknown as typeof req),
        onResponse: (status, _body, context: Cycle) => {
          if (status === 201) counters.postCalls += 1;
          if (context.token) free.push(context.token);
          context.token = undefined;
        },
      },
    ],
    counters: () => ({ ...counters, freeAgents: free.length }),
  };
}
