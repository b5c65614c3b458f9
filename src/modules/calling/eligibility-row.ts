import { type SQL, sql } from "drizzle-orm";
import { parseJsonColumn } from "../../db/client.js";
import { type CallRules, type Eligibility, evaluateEligibility } from "./eligibility.js";

/**
 * The eligibility inputs of one customer as the pre-call, post-call, worklist and next-call queries
 * return them (snake case, JSON aggregates as the driver gives them). One select-list and one
 * decoder for all four, so a new rule input is added here once.
 */
export interface EligibilityRow {
  phone: string;
  alt_phone: string | null;
  timezone: string;
  do_not_call: boolean;
  pending_due: unknown;
  dispute_open: boolean;
  flagged: unknown;
  attempts: unknown;
  callback_at: string | Date | null;
}

/**
 * The select-list that produces an EligibilityRow for the customer aliased `c`, as of `at`; each
 * query adds its own columns around it.
 */
export const eligibilityColumns = (at: string): SQL => sql`c.phone, c.alt_phone, c.timezone, c.do_not_call,
  (select coalesce(json_agg(p.due_date), '[]'::json) from payment_promises p where p.customer_id = c.id and p.status = 'pending') as pending_due,
  exists (select 1 from loans l where l.customer_id = c.id and l.collection_status = 'dispute') as dispute_open,
  (select coalesce(json_agg(f.phone), '[]'::json) from customer_phone_flags f where f.customer_id = c.id) as flagged,
  (select coalesce(json_agg(i.started_at), '[]'::json) from customer_interactions i
    where i.customer_id = c.id and i.channel = 'call' and i.direction = 'outbound' and i.started_at > ${at}::timestamptz - interval '8 days') as attempts,
  (select i.callback_at from customer_interactions i where i.customer_id = c.id and i.callback_at is not null
    order by i.started_at desc limit 1) as callback_at`;

/** The number to dial: the first one not reported wrong. */
export function dialNumber(r: Pick<EligibilityRow, "phone" | "alt_phone" | "flagged">): string | null {
  const flagged = parseJsonColumn<string[]>(r.flagged);
  return [r.phone, r.alt_phone].find((p): p is string => Boolean(p) && !flagged.includes(p as string)) ?? null;
}

/** Each of the customer's numbers, primary first, with whether a call reported it wrong. */
export function phoneStates(r: Pick<EligibilityRow, "phone" | "alt_phone" | "flagged">) {
  const flagged = parseJsonColumn<string[]>(r.flagged);
  const numbers: { number: string; kind: "primary" | "alternate" }[] = [];
  if (r.phone) numbers.push({ number: r.phone, kind: "primary" });
  if (r.alt_phone && r.alt_phone !== r.phone) numbers.push({ number: r.alt_phone, kind: "alternate" });
  return numbers.map((n) => ({ ...n, wrongNumber: flagged.includes(n.number) }));
}

/**
 * The one rule function (eligibility.ts), fed from a row: for a call to `dialled` (pre-call), or to
 * any of the customer's numbers.
 */
export function rowEligibility(r: EligibilityRow, now: Date, rules: CallRules, dialled?: string): Eligibility {
  const flagged = parseJsonColumn<string[]>(r.flagged);
  const numbers = dialled ? [dialled] : [r.phone, r.alt_phone].filter((p): p is string => Boolean(p));
  return evaluateEligibility({
    now,
    timezone: r.timezone,
    doNotCall: r.do_not_call,
    numberFlagged: numbers.every((p) => flagged.includes(p)),
    disputeOpen: r.dispute_open,
    outboundAttempts: parseJsonColumn<string[]>(r.attempts).map((a) => new Date(a)),
    pendingPromiseDueDates: parseJsonColumn<string[]>(r.pending_due).map((d) => String(d).slice(0, 10)),
    callbackAt: r.callback_at ? new Date(r.callback_at) : null,
    rules,
  });
}
