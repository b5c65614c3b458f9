import { sql } from "drizzle-orm";
import { toNumber } from "../../db/client.js";
import type { Services } from "../../services.js";
import { bucketOf, DEFAULT_TIMEZONE, daysBetween, todayIn } from "../loans/arrears.js";
import type { WorklistViewer } from "../allocation/worklist-view.js";
import { markBrokenPromises } from "../promises/repository.js";
import { callRulesFrom, type EligibilityReason } from "./eligibility.js";
import { dialNumber, type EligibilityRow, eligibilityColumns, rowEligibility } from "./eligibility-row.js";
import { shareInFlight } from "./in-flight.js";

export type WorklistReason = "callback_due" | "broken_promise" | "overdue";

interface Candidate {
  id: string;
  reason: WorklistReason;
  since: string | null;
}

interface WorklistRow extends EligibilityRow {
  id: string;
  full_name: string;
  city: string | null;
  oldest_due_date: string | null;
  total_overdue: string;
}

/** The worklist runs on every agent's screen refresh: its statements are prepared once per connection. */
type Runner = Services["queryNamed"];

/** Candidates ranked per round: most are callable in the day, so twice the page is usually one round. */
const CANDIDATES_PER_ROUND = 100;
const PROMISE_SWEEP_INTERVAL_MS = 60_000;
/**
 * The ranking (days past due × amount over every owing customer) is the expensive part and is the same
 * for every agent, so each page of it is reused for a few seconds; who is callable is still decided
 * fresh on every request, from current data.
 */
const RANKING_TTL_MS = 15_000;
const rankings = new WeakMap<Services, Map<string, { ids: Candidate[]; until: number }>>();

async function rankedOverdue(services: Services, today: string, offset: number, now: number): Promise<Candidate[]> {
  let cache = rankings.get(services);
  if (!cache) {
    cache = new Map();
    rankings.set(services, cache);
  }
  const key = `${today}:${offset}`;
  const hit = cache.get(key);
  if (hit && hit.until > now && now >= hit.until - RANKING_TTL_MS) return hit.ids;
  // A floor whose ranking expires together computes it once, not once per agent.
  const ids = await shareInFlight(services, `overdue:${key}`, () =>
    overdueCustomers(services.queryNamed, today, offset),
  );
  if (cache.size > 50) cache.clear();
  cache.set(key, { ids, until: now + RANKING_TTL_MS });
  return ids;
}
const lastPromiseSweep = new WeakMap<Services, number>();
/**
 * How long one request may keep walking down the ranking for callable customers. The walk stops when
 * the page is full or the ranking is exhausted; this only bounds a pathological portfolio (most of it
 * blocked) so a screen refresh still answers promptly.
 */
export const WORKLIST_SEARCH_BUDGET_MS = 2_000;
const WINDOW_REASONS = new Set<EligibilityReason>(["OUTSIDE_CALL_WINDOW", "NO_CALL_DAY"]);

const owingCache = new WeakMap<Services, { counts: { owing: number; doNotCall: number }; until: number }>();

/**
 * Customers who owe money: all of them, and those marked do-not-call (never ranked, never callable).
 * A count over the portfolio on every refresh would cost more than the page itself, so it is reused
 * for as long as the ranking is.
 */
async function owingCounts(services: Services, now: number) {
  const hit = owingCache.get(services);
  if (hit && hit.until > now && now >= hit.until - RANKING_TTL_MS) return hit.counts;
  const counts = await shareInFlight(services, "owing", () => countOwing(services.queryNamed));
  owingCache.set(services, { counts, until: now + RANKING_TTL_MS });
  return counts;
}

async function countOwing(run: Runner) {
  const [row] = await run<{ owing: unknown; dnc: unknown }>(
    "worklist_owing",
    sql`select count(*) as owing, count(*) filter (where c.do_not_call) as dnc from customers c where c.total_overdue > 0`,
  );
  return { owing: toNumber(row?.owing), doNotCall: toNumber(row?.dnc) };
}

/** Ranked customers per timezone: when every timezone left is outside its call window, walking on finds no one. */
async function rankedPerTimezone(run: Runner): Promise<Map<string, number>> {
  const rows = await run<{ timezone: string; n: unknown }>(
    "worklist_ranked_timezones",
    sql`select c.timezone, count(*) as n from customers c
        where c.total_overdue > 0 and not c.do_not_call and c.oldest_due_date is not null group by c.timezone`,
  );
  return new Map(rows.map((r) => [r.timezone, toNumber(r.n)]));
}

/** Callbacks that have come due and not been followed by a call (last 7 days). */
async function dueCallbacks(run: Runner, at: string): Promise<Candidate[]> {
  const rows = await run<{ id: string; since: string }>(
    "worklist_callbacks",
    sql`select i.customer_id as id, max(i.callback_at)::text as since from customer_interactions i
        where i.callback_at is not null and i.callback_at <= ${at}::timestamptz and i.callback_at > ${at}::timestamptz - interval '7 days'
        group by i.customer_id
        having not exists (select 1 from customer_interactions j where j.customer_id = i.customer_id and j.channel = 'call'
                             and j.direction = 'outbound' and j.started_at >= max(i.callback_at))
        order by max(i.callback_at) limit ${CANDIDATES_PER_ROUND}`,
  );
  return rows.map((r) => ({ id: r.id, reason: "callback_due", since: r.since }));
}

/** Promises broken in the last 7 days and not yet chased by a call. */
async function brokenPromises(run: Runner, at: string): Promise<Candidate[]> {
  const rows = await run<{ id: string; since: string }>(
    "worklist_broken_promises",
    sql`select p.customer_id as id, max(p.resolved_at)::text as since from payment_promises p
        where p.status = 'broken' and p.resolved_at > ${at}::timestamptz - interval '7 days'
        group by p.customer_id
        having not exists (select 1 from customer_interactions j where j.customer_id = p.customer_id and j.channel = 'call'
                             and j.direction = 'outbound' and j.started_at >= max(p.resolved_at))
        order by max(p.resolved_at) desc limit ${CANDIDATES_PER_ROUND}`,
  );
  return rows.map((r) => ({ id: r.id, reason: "broken_promise", since: r.since }));
}

/**
 * The rest by days past due × amount overdue, the expected value of a call. The ranking counts days
 * on the centre's calendar (a customer in another timezone may differ by one day), which lets it be
 * an index-only scan; each row still shows the customer's exact days past due.
 */
async function overdueCustomers(run: Runner, today: string, offset: number): Promise<Candidate[]> {
  const rows = await run<{ id: string }>(
    "worklist_overdue",
    sql`select c.id from customers c
        where c.total_overdue > 0 and not c.do_not_call and c.oldest_due_date is not null
        order by (${today}::date - c.oldest_due_date) * c.total_overdue desc, c.id
        limit ${CANDIDATES_PER_ROUND} offset ${offset}`,
  );
  return rows.map((r) => ({ id: r.id, reason: "overdue", since: null }));
}

/** The inputs of the eligibility rules for many customers in one round trip. */
async function loadEligibilityRows(run: Runner, ids: string[], at: string): Promise<Map<string, WorklistRow>> {
  if (ids.length === 0) return new Map();
  const rows = await run<WorklistRow>(
    "worklist_eligibility",
    sql`select c.id, c.full_name, c.city, c.oldest_due_date::text as oldest_due_date, c.total_overdue::text as total_overdue, ${eligibilityColumns(at)}
        from customers c where c.id = any(${sql.param(ids)}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

function describe(reason: WorklistReason, row: WorklistRow, days: number, since: string | null): string {
  if (reason === "callback_due") return `callback requested for ${new Date(since!).toISOString()}`;
  if (reason === "broken_promise") return `promise to pay broken on ${new Date(since!).toISOString().slice(0, 10)}`;
  return `${days} days past due, ${row.total_overdue} overdue`;
}

/**
 * Whom an agent should call now: eligible now (the same rules as pre-call) and owing money; due
 * callbacks first, then broken promises, then by days past due × amount overdue.
 */
export async function buildWorklist(services: Services, limit: number, viewer?: WorklistViewer) {
  const { db, clock, config } = services;
  const run = services.queryNamed;
  const now = clock.now();
  const at = now.toISOString();
  const rules = callRulesFrom(config);
  // Promises past their grace days become broken before anyone is ranked on them. They lapse only
  // when a calendar day ends, so one sweep a minute keeps the list fresh without a portfolio-wide
  // UPDATE on every agent's refresh.
  const lastSweep = lastPromiseSweep.get(services) ?? 0;
  if (now.getTime() - lastSweep >= PROMISE_SWEEP_INTERVAL_MS || now.getTime() < lastSweep) {
    await markBrokenPromises(db, config.PROMISE_GRACE_DAYS, now);
    lastPromiseSweep.set(services, now.getTime());
  }
  const rows: ReturnType<typeof toRow>[] = [];
  const seen = new Set<string>();
  const blocked: Partial<Record<EligibilityReason, number>> = {};
  let callableNow = 0;
  let nextEligibleAt: string | null = null;
  /** Timezones seen outside their call window (or on a no-call day), with the ranked customers examined in each. */
  const closed = new Map<string, { reasons: EligibilityReason[]; nextEligibleAt: string | null; examined: number }>();

  function toRow(candidate: Candidate, r: WorklistRow) {
    const days = r.oldest_due_date ? Math.max(0, daysBetween(r.oldest_due_date, todayIn(r.timezone, now))) : 0;
    const dial = dialNumber(r) ?? r.phone;
    return {
      customerId: r.id,
      fullName: r.full_name,
      phone: dial,
      city: r.city,
      reason: candidate.reason,
      why: describe(candidate.reason, r, days, candidate.since),
      daysPastDue: days,
      bucket: bucketOf(days),
      totalOverdue: r.total_overdue,
      priorityScore: Math.round(days * Number(r.total_overdue)),
    };
  }

  async function take(candidates: Candidate[]) {
    // The caller's own view (allocation): only their pools, never a customer someone else holds.
    const owners = viewer ? await viewer(candidates.filter((c) => !seen.has(c.id)).map((c) => c.id)) : undefined;
    const fresh = candidates.filter((c) => !seen.has(c.id) && (!owners || owners.has(c.id)));
    const inputs = await loadEligibilityRows(
      run,
      fresh.map((c) => c.id),
      at,
    );
    for (const candidate of fresh) {
      if (rows.length >= limit) return;
      seen.add(candidate.id);
      const r = inputs.get(candidate.id);
      if (!r || Number(r.total_overdue) <= 0) continue;
      const eligibility = rowEligibility(r, now, rules);
      if (eligibility.canCall) {
        callableNow += 1;
        rows.push({ ...toRow(candidate, r), ...(owners ? { owner: owners.get(candidate.id)! } : {}) });
        continue;
      }
      for (const reason of eligibility.reasons) blocked[reason] = (blocked[reason] ?? 0) + 1;
      if (eligibility.nextEligibleAt && (!nextEligibleAt || eligibility.nextEligibleAt < nextEligibleAt))
        nextEligibleAt = eligibility.nextEligibleAt;
      const windowReasons = eligibility.reasons.filter((reason) => WINDOW_REASONS.has(reason));
      if (windowReasons.length > 0 && candidate.reason === "overdue") {
        const entry = closed.get(r.timezone) ?? {
          reasons: windowReasons,
          nextEligibleAt: eligibility.nextEligibleAt,
          examined: 0,
        };
        entry.examined += 1;
        closed.set(r.timezone, entry);
      }
    }
  }

  /**
   * When every timezone with ranked customers is closed, nobody further down is callable either: count
   * the rest as blocked by their window instead of walking the whole portfolio.
   */
  async function restIsClosed(): Promise<boolean> {
    if (closed.size === 0) return false;
    const perZone = await rankedPerTimezone(run);
    if ([...perZone.keys()].some((tz) => !closed.has(tz))) return false;
    for (const [tz, n] of perZone) {
      const zone = closed.get(tz)!;
      const rest = Math.max(0, n - zone.examined);
      for (const reason of zone.reasons) blocked[reason] = (blocked[reason] ?? 0) + rest;
      if (rest > 0 && zone.nextEligibleAt && (!nextEligibleAt || zone.nextEligibleAt < nextEligibleAt))
        nextEligibleAt = zone.nextEligibleAt;
    }
    return true;
  }

  const deadline = Date.now() + WORKLIST_SEARCH_BUDGET_MS;
  await take(await shareInFlight(services, "callbacks", () => dueCallbacks(run, at)));
  if (rows.length < limit) await take(await shareInFlight(services, "broken", () => brokenPromises(run, at)));
  // Walk down the ranking until the page is full or the ranking is exhausted: a round in which nobody
  // is callable (three attempts each today, say) says nothing about the customers below it.
  let complete = false;
  for (let round = 0; rows.length < limit; round++) {
    const before = rows.length;
    const batch = await rankedOverdue(
      services,
      todayIn(DEFAULT_TIMEZONE, now),
      round * CANDIDATES_PER_ROUND,
      now.getTime(),
    );
    await take(batch);
    if (batch.length < CANDIDATES_PER_ROUND) {
      complete = true;
      break;
    }
    if (rows.length === before && (await restIsClosed())) {
      complete = true;
      break;
    }
    if (Date.now() > deadline) break;
  }
  const counts = await owingCounts(services, now.getTime());
  if (counts.doNotCall > 0) blocked.DO_NOT_CALL = Math.max(blocked.DO_NOT_CALL ?? 0, counts.doNotCall);
  const summary = {
    owing: counts.owing,
    callableNow,
    blocked,
    nextEligibleAt,
    complete: complete && rows.length < limit,
  };
  return { data: rows, page: { limit, nextCursor: null }, generatedAt: at, summary };
}
