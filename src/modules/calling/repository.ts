import { asc, eq, type SQL, sql } from "drizzle-orm";
import { type DbOrTx, parseJsonColumn, queryRows, toNumber } from "../../db/client.js";
import { fromJsonRow, jsonRow } from "../../db/json-row.js";
import { customers, dispositions, loans } from "../../db/schema/index.js";
import { type EligibilityRow, eligibilityColumns } from "./eligibility-row.js";

export async function findDisposition(db: DbOrTx, code: string) {
  const [row] = await db.select().from(dispositions).where(eq(dispositions.code, code)).limit(1);
  return row;
}

/** Every outcome's declared flags, for the start-up check against the built-in table. */
export async function listDispositionRows(db: DbOrTx) {
  return db
    .select({
      code: dispositions.code,
      contacted: dispositions.contacted,
      rightPartyContact: dispositions.rightPartyContact,
    })
    .from(dispositions);
}

/** Active outcomes in the order a picker shows them. */
export async function listActiveDispositions(db: DbOrTx) {
  return db
    .select({
      code: dispositions.code,
      label: dispositions.label,
      contacted: dispositions.contacted,
      rightPartyContact: dispositions.rightPartyContact,
    })
    .from(dispositions)
    .where(eq(dispositions.isActive, true))
    .orderBy(asc(dispositions.sortOrder), asc(dispositions.code));
}

export interface RecentInteraction {
  id: string;
  customerId: string;
  loanId: string | null;
  agentId: string | null;
  agentName: string | null;
  apiKeyId: string | null;
  channel: string;
  direction: string;
  callId: string | null;
  startedAt: string;
  durationSeconds: number | null;
  disposition: string | null;
  notes: string | null;
  createdAt: string;
}

/** What the pre-call screen shows beside the eligibility: the customer's recent history. */
export interface CallSummary {
  lastPayment: { amount: string; paidAt: string } | null;
  openPromises: number;
  brokenPromisesLast90Days: number;
  recentInteractions: RecentInteraction[];
}

const iso = (v: string | null) => (v ? new Date(v).toISOString() : null);

/** The summary columns for the customer aliased `c`, as of `at`. */
const summaryColumns = (at: string): SQL => sql`
      (select json_build_object('amount', p.amount::text, 'paidAt', p.paid_at)
         from payments p join loans l on l.id = p.loan_id
        where l.customer_id = c.id order by p.paid_at desc limit 1) as last_payment,
      (select count(*) from payment_promises where customer_id = c.id and status = 'pending') as open_promises,
      (select count(*) from payment_promises where customer_id = c.id and status = 'broken'
          and coalesce(resolved_at, updated_at) >= ${at}::timestamptz - interval '90 days') as broken_90,
      (select coalesce(json_agg(x), '[]'::json) from (
         select i.id, i.customer_id as "customerId", i.loan_id as "loanId", i.agent_id as "agentId", u.name as "agentName",
                i.api_key_id as "apiKeyId", i.channel, i.direction, i.call_id as "callId", i.started_at as "startedAt", i.duration_seconds as "durationSeconds",
                i.disposition, i.notes, i.created_at as "createdAt"
           from customer_interactions i left join users u on u.id = i.agent_id
          where i.customer_id = c.id order by i.started_at desc, i.id desc limit 10) x) as recent`;

function toCallSummary(r: Record<string, unknown>): CallSummary {
  const last = parseJsonColumn<{ amount: string; paidAt: string } | null>(r.last_payment);
  return {
    lastPayment: last ? { amount: last.amount, paidAt: iso(last.paidAt)! } : null,
    openPromises: toNumber(r.open_promises),
    brokenPromisesLast90Days: toNumber(r.broken_90),
    recentInteractions: parseJsonColumn<RecentInteraction[]>(r.recent).map((i) => ({
      ...i,
      startedAt: iso(i.startedAt)!,
      createdAt: iso(i.createdAt)!,
    })),
  };
}

/** A customer by the number dialled (either of their numbers), or by id (a claim, a post-call naming them). */
export type CustomerTarget = { phone: string } | { customerId: string };

/** The one customer row of a target, as a subquery: the primary number wins over an alternative one, then the latest updated. */
export function pickCustomer(target: CustomerTarget): SQL {
  if ("customerId" in target) return sql`select * from customers where id = ${target.customerId}::uuid`;
  const phone = target.phone;
  return sql`select * from customers where phone = ${phone} or alt_phone = ${phone} order by (phone = ${phone}) desc, updated_at desc limit 1`;
}

/** One customer's eligibility inputs now (post-call's answer), in one round trip. */
export async function loadEligibilityRow(db: DbOrTx, customerId: string, now: Date): Promise<EligibilityRow> {
  const [row] = await queryRows<EligibilityRow>(
    db,
    sql`select ${eligibilityColumns(now.toISOString())} from customers c where c.id = ${customerId}::uuid`,
  );
  return row!;
}

type JsonRow = Record<string, unknown>;

// Built once: the schema does not change while the process runs.
const customerJson = jsonRow(customers, "c");
const loanJson = jsonRow(loans, "l");

/** Who holds the customer now (an unexpired, unreleased claim). */
export interface LiveClaim {
  userId: string | null;
  apiKeyId: string | null;
  name: string | null;
  until: string;
}

/**
 * The whole pre-call screen in one statement: the customer by either number, their loans, the call
 * summary and the eligibility inputs (the same select-list as the worklist and next-call). The
 * pre-call route is the service's hottest, and one round trip with one plan is what lets a dialer
 * ask it thousands of times a minute. Money is cast to text inside the JSON, so it never passes
 * through a float.
 */
export async function loadPreCall(
  run: <T>(name: string, query: SQL) => Promise<T[]>,
  target: CustomerTarget,
  now: Date,
  graceDays: number,
) {
  const at = now.toISOString();
  const name = "customerId" in target ? "pre_call_by_id" : "pre_call";
  const [row] = await run<JsonRow & EligibilityRow>(
    name,
    sql`with c as (${pickCustomer(target)})
        select
          ${customerJson} as customer,
          (select coalesce(json_agg(${loanJson} order by l.created_at desc, l.id desc), '[]'::json)
             from loans l where l.customer_id = c.id) as loans,
          exists (select 1 from payment_promises p where p.customer_id = c.id and p.status = 'pending'
                  and p.due_date + ${graceDays}::int < (${at}::timestamptz at time zone c.timezone)::date) as lapsed_promise,
          (select json_build_object('userId', k.user_id, 'apiKeyId', k.api_key_id, 'name', coalesce(u.name, a.name), 'until', k.expires_at)
             from call_claims k left join users u on u.id = k.user_id left join api_keys a on a.id = k.api_key_id
            where k.customer_id = c.id and k.released_at is null and k.expires_at > ${at}::timestamptz) as live_claim,
          ${summaryColumns(at)},
          ${eligibilityColumns(at)}
        from c`,
  );
  if (!row) return undefined;
  return {
    customer: fromJsonRow(customers, parseJsonColumn<JsonRow>(row.customer)),
    loans: parseJsonColumn<JsonRow[]>(row.loans).map((l) => fromJsonRow(loans, l)),
    lapsedPromise: Boolean(row.lapsed_promise),
    liveClaim: parseJsonColumn<LiveClaim | null>(row.live_claim),
    summary: toCallSummary(row),
    eligibility: row as EligibilityRow,
  };
}
