import { toNumber } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import { fromCents, toCents } from "../../lib/money.js";
import type { Services } from "../../services.js";
import { BUCKETS } from "../loans/arrears.js";
import {
  arrearsFigures,
  callFigures,
  collectedFigures,
  periodDays,
  promiseFigures,
  type Period,
  type Row,
} from "./repository.js";
import { resolveRange } from "./service.js";

/** The longest period one request covers: a year of days, leap or not. */
export const MAX_COLLECTION_DAYS = 366;

/** Everything counted per agent, per day and in total, in centimes until the view. */
interface Tally {
  calls: number;
  contacts: number;
  rpc: number;
  made: number;
  madeAmount: bigint;
  kept: number;
  keptAmount: bigint;
  broken: number;
  brokenAmount: bigint;
  payments: number;
  collected: bigint;
}

const emptyTally = (): Tally => ({
  calls: 0,
  contacts: 0,
  rpc: 0,
  made: 0,
  madeAmount: 0n,
  kept: 0,
  keptAmount: 0n,
  broken: 0,
  brokenAmount: 0n,
  payments: 0,
  collected: 0n,
});

function add(targets: Tally[], part: Partial<Tally>) {
  for (const t of targets)
    for (const [k, v] of Object.entries(part) as [keyof Tally, number | bigint][])
      (t[k] as number | bigint) = (t[k] as never) + (v as never);
}

const cents = (v: unknown) => toCents(String(v ?? "0"));

/**
 * What a supervisor reviews after a shift: calls, contacts and right-party contacts (by the
 * dispositions' flags), promises made / kept / broken with amounts, and money collected, overall,
 * per disposition, per agent and per day (the centre's calendar). Money is credited to agents as
 * `collectedFigures` explains.
 */
export async function collectionStats(services: Services, q: { from?: string; to?: string }) {
  const { start, end } = resolveRange(services.clock.now(), q.from, q.to, 1);
  // An hour of slack: 366 local days that span a daylight-saving change last an hour longer.
  if (end.getTime() - start.getTime() > MAX_COLLECTION_DAYS * 86_400_000 + 3_600_000) {
    throw new AppError("VALIDATION_ERROR", `At most ${MAX_COLLECTION_DAYS} days per request`, {
      details: [{ path: "/from", message: `range longer than ${MAX_COLLECTION_DAYS} days` }],
    });
  }
  const period: Period = { start, end, tz: services.config.CENTRE_TIMEZONE };
  const { db } = services;
  const [days, calls, promises, collected] = await Promise.all([
    periodDays(db, period),
    callFigures(db, period),
    promiseFigures(db, period),
    collectedFigures(db, period, services.config.PROMISE_GRACE_DAYS),
  ]);
  return assemble(period, days, calls, promises, collected);
}

function assemble(p: Period, days: string[], calls: Row[], promises: Row[], collected: Row[]) {
  const totals = emptyTally();
  const byDay = new Map(days.map((d) => [d, emptyTally()]));
  const dayEntry = (day: unknown) => {
    const key = String(day);
    let e = byDay.get(key);
    if (!e) byDay.set(key, (e = emptyTally()));
    return e;
  };
  const byAgent = new Map<string, { agentId: string | null; agentName: string | null; t: Tally }>();
  const agentEntry = (id: unknown, name: unknown) => {
    // Calls by a dialer's key and unattributed money share the row without an agent.
    const key = String(id ?? "none");
    let e = byAgent.get(key);
    if (!e) byAgent.set(key, (e = { agentId: (id as string | null) ?? null, agentName: null, t: emptyTally() }));
    if (name && !e.agentName) e.agentName = String(name);
    return e.t;
  };
  const byDisposition = new Map<
    string,
    { disposition: string; calls: number; contacts: number; rightPartyContacts: number }
  >();
  for (const r of calls) {
    const n = { calls: toNumber(r.calls), contacts: toNumber(r.contacts), rpc: toNumber(r.rpc) };
    add([totals, dayEntry(r.day), agentEntry(r.agent_id, r.agent_name)], n);
    const key = String(r.disposition ?? "none");
    const d = byDisposition.get(key) ?? { disposition: key, calls: 0, contacts: 0, rightPartyContacts: 0 };
    d.calls += n.calls;
    d.contacts += n.contacts;
    d.rightPartyContacts += n.rpc;
    byDisposition.set(key, d);
  }
  for (const r of promises) {
    add([totals, dayEntry(r.day), agentEntry(r.agent_id, null)], {
      made: toNumber(r.made),
      madeAmount: cents(r.made_amount),
      kept: toNumber(r.kept),
      keptAmount: cents(r.kept_amount),
      broken: toNumber(r.broken),
      brokenAmount: cents(r.broken_amount),
    });
  }
  for (const r of collected) {
    add([totals, dayEntry(r.day), agentEntry(r.agent_id, r.agent_name)], {
      payments: toNumber(r.payments),
      collected: cents(r.amount),
    });
  }
  return {
    from: p.start.toISOString(),
    to: p.end.toISOString(),
    timezone: p.tz,
    totals: view(totals),
    byDisposition: [...byDisposition.values()].sort((a, b) => b.calls - a.calls),
    byAgent: [...byAgent.values()]
      .map((a) => ({ agentId: a.agentId, agentName: a.agentName, ...view(a.t) }))
      .sort((a, b) => b.calls - a.calls || Number(toCents(b.amountCollected) - toCents(a.amountCollected))),
    byDay: [...byDay.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([day, t]) => ({ day, ...view(t) })),
  };
}

function view(t: Tally) {
  return {
    calls: t.calls,
    contacts: t.contacts,
    rightPartyContacts: t.rpc,
    promisesMade: t.made,
    promisesMadeAmount: fromCents(t.madeAmount),
    promisesKept: t.kept,
    promisesKeptAmount: fromCents(t.keptAmount),
    promisesBroken: t.broken,
    promisesBrokenAmount: fromCents(t.brokenAmount),
    amountCollected: fromCents(t.collected),
    payments: t.payments,
  };
}

/** Customers, open loans and total overdue per arrears bucket, every bucket present, in bucket order. */
export async function arrearsStats(services: Services) {
  const now = services.clock.now();
  const rows = await arrearsFigures(services.db, now);
  const found = new Map(rows.map((r) => [String(r.bucket), r]));
  return {
    asOf: now.toISOString(),
    buckets: BUCKETS.map((bucket) => {
      const r = found.get(bucket);
      return {
        bucket,
        customers: toNumber(r?.customers),
        loans: toNumber(r?.loans),
        totalOverdue: fromCents(cents(r?.total_overdue)),
      };
    }),
  };
}
