import { asc, desc, eq, or, type SQL, sql } from "drizzle-orm";
import { type DbOrTx, parseJsonColumn, queryRows, toNumber } from "../../db/client.js";
import { customers, dispositions } from "../../db/schema/index.js";
import type { CustomerRow } from "../customers/repository.js";
import type { LoanRow } from "../loans/repository.js";

/** By either number; the primary number wins over an alternative one, then the latest updated. */
export async function findCustomerByAnyPhone(db: DbOrTx, e164: string): Promise<CustomerRow | undefined> {
  const [row] = await db
    .select()
    .from(customers)
    .where(or(eq(customers.phone, e164), eq(customers.altPhone, e164)))
    .orderBy(sql`(${customers.phone} = ${e164}) desc`, desc(customers.updatedAt))
    .limit(1);
  return row;
}

export async function findDisposition(db: DbOrTx, code: string) {
  const [row] = await db.select().from(dispositions).where(eq(dispositions.code, code)).limit(1);
  return row;
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

export interface CallContext {
  lastPayment: { amount: string; paidAt: string } | null;
  openPromises: number;
  brokenPromisesLast90Days: number;
  pendingPromiseDueDates: string[];
  disputeOpen: boolean;
  flaggedPhones: string[];
  outboundAttempts: Date[];
  callbackAt: Date | null;
  recentInteractions: RecentInteraction[];
}

const iso = (v: string | null) => (v ? new Date(v).toISOString() : null);

/**
 * The call-context columns for the customer `id` (a SQL expression), shared by both loaders: the
 * pre-call screen is the hottest route, so the database assembles it rather than seven queries.
 */
function contextColumns(id: SQL, at: string): SQL {
  return sql`
      (select json_build_object('amount', p.amount::text, 'paidAt', p.paid_at)
         from payments p join loans l on l.id = p.loan_id
        where l.customer_id = ${id} order by p.paid_at desc limit 1) as last_payment,
      (select count(*) from payment_promises where customer_id = ${id} and status = 'pending') as open_promises,
      (select count(*) from payment_promises where customer_id = ${id} and status = 'broken'
          and coalesce(resolved_at, updated_at) >= ${at}::timestamptz - interval '90 days') as broken_90,
      (select coalesce(json_agg(due_date), '[]'::json) from payment_promises where customer_id = ${id} and status = 'pending') as pending_due,
      exists (select 1 from loans where customer_id = ${id} and collection_status = 'dispute') as dispute_open,
      (select coalesce(json_agg(phone), '[]'::json) from customer_phone_flags where customer_id = ${id}) as flagged,
      (select coalesce(json_agg(started_at), '[]'::json) from customer_interactions
        where customer_id = ${id} and channel = 'call' and direction = 'outbound'
          and started_at > ${at}::timestamptz - interval '8 days') as attempts,
      (select callback_at from customer_interactions where customer_id = ${id} and callback_at is not null
        order by started_at desc limit 1) as callback_at,
      (select coalesce(json_agg(x), '[]'::json) from (
         select i.id, i.customer_id as "customerId", i.loan_id as "loanId", i.agent_id as "agentId", u.name as "agentName",
                i.api_key_id as "apiKeyId", i.channel, i.direction, i.call_id as "callId", i.started_at as "startedAt", i.duration_seconds as "durationSeconds",
                i.disposition, i.notes, i.created_at as "createdAt"
           from customer_interactions i left join users u on u.id = i.agent_id
          where i.customer_id = ${id} order by i.started_at desc, i.id desc limit 10) x) as recent`;
}

function toCallContext(r: Record<string, unknown>): CallContext {
  const last = parseJsonColumn<{ amount: string; paidAt: string } | null>(r.last_payment);
  return {
    lastPayment: last ? { amount: last.amount, paidAt: iso(last.paidAt)! } : null,
    openPromises: toNumber(r.open_promises),
    brokenPromisesLast90Days: toNumber(r.broken_90),
    pendingPromiseDueDates: parseJsonColumn<string[]>(r.pending_due).map((d) => String(d).slice(0, 10)),
    disputeOpen: Boolean(r.dispute_open),
    flaggedPhones: parseJsonColumn<string[]>(r.flagged),
    outboundAttempts: parseJsonColumn<string[]>(r.attempts).map((a) => new Date(a)),
    callbackAt: r.callback_at ? new Date(r.callback_at as string | Date) : null,
    recentInteractions: parseJsonColumn<RecentInteraction[]>(r.recent).map((i) => ({
      ...i,
      startedAt: iso(i.startedAt)!,
      createdAt: iso(i.createdAt)!,
    })),
  };
}

/**
 * Everything a call decision needs about one customer, in one round trip. Money is cast to text
 * inside the JSON so it never passes through a float.
 */
export async function loadCallContext(db: DbOrTx, customerId: string, now: Date): Promise<CallContext> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${contextColumns(sql`${customerId}::uuid`, now.toISOString())}`,
  );
  return toCallContext(row ?? {});
}

type JsonRow = Record<string, unknown>;

/** Who holds the customer now (an unexpired, unreleased claim). */
export interface LiveClaim {
  userId: string | null;
  apiKeyId: string | null;
  name: string | null;
  until: string;
}

function toCustomerRow(c: JsonRow): CustomerRow {
  return {
    id: c.id as string,
    externalRef: c.external_ref as string | null,
    fullName: c.full_name as string,
    nationalId: c.national_id as string | null,
    dateOfBirth: c.date_of_birth as string | null,
    phone: c.phone as string,
    altPhone: c.alt_phone as string | null,
    email: c.email as string | null,
    address: c.address as string | null,
    city: c.city as string | null,
    employer: c.employer as string | null,
    monthlyIncome: c.monthly_income as string | null,
    preferredLanguage: c.preferred_language as string | null,
    timezone: c.timezone as string,
    doNotCall: c.do_not_call as boolean,
    notes: c.notes as string | null,
    oldestDueDate: c.oldest_due_date as string | null,
    totalOverdue: c.total_overdue as string,
    assignedAgentId: (c.assigned_agent_id as string | null) ?? null,
    assignedTeamId: (c.assigned_team_id as string | null) ?? null,
    assignedAt: c.assigned_at ? new Date(c.assigned_at as string) : null,
    assignedBy: (c.assigned_by as string | null) ?? null,
    createdAt: new Date(c.created_at as string),
    updatedAt: new Date(c.updated_at as string),
    version: c.version as number,
  };
}

function toLoanRow(l: JsonRow): LoanRow {
  return {
    id: l.id as string,
    customerId: l.customer_id as string,
    loanNumber: l.loan_number as string,
    productName: l.product_name as string,
    principal: l.principal as string,
    interestRate: l.interest_rate as string,
    termMonths: l.term_months as number,
    installmentAmount: l.installment_amount as string,
    currency: l.currency as string,
    disbursedAt: l.disbursed_at as string | null,
    outstandingBalance: l.outstanding_balance as string,
    amountOverdue: l.amount_overdue as string,
    nextDueDate: l.next_due_date as string | null,
    missedInstallments: l.missed_installments as number,
    paymentStatus: l.payment_status as LoanRow["paymentStatus"],
    collectionStatus: l.collection_status as LoanRow["collectionStatus"],
    createdAt: new Date(l.created_at as string),
    updatedAt: new Date(l.updated_at as string),
    version: l.version as number,
  };
}

/**
 * The whole pre-call screen in one statement: the customer by either number, their loans and the
 * call context. The pre-call route is the service's hottest, and one round trip with one plan is what
 * lets a dialer ask it thousands of times a minute. Numbers and dates are cast to text inside the
 * JSON, so money never passes through a float.
 */
export async function loadPreCall(
  run: <T>(name: string, query: SQL) => Promise<T[]>,
  target: string | { customerId: string },
  now: Date,
  graceDays: number,
) {
  const at = now.toISOString();
  // By the number dialled (either number of the customer), or by id when a claim names the customer.
  const [name, pick] =
    typeof target === "string"
      ? [
          "pre_call",
          sql`select * from customers where phone = ${target} or alt_phone = ${target} order by (phone = ${target}) desc, updated_at desc limit 1`,
        ]
      : ["pre_call_by_id", sql`select * from customers where id = ${target.customerId}::uuid`];
  const [row] = await run<JsonRow>(
    name,
    sql`with c as (${pick})
        select
          json_build_object('id', c.id, 'external_ref', c.external_ref, 'full_name', c.full_name, 'national_id', c.national_id,
            'date_of_birth', c.date_of_birth::text, 'phone', c.phone, 'alt_phone', c.alt_phone, 'email', c.email,
            'address', c.address, 'city', c.city, 'employer', c.employer, 'monthly_income', c.monthly_income::text,
            'preferred_language', c.preferred_language, 'timezone', c.timezone, 'do_not_call', c.do_not_call, 'notes', c.notes,
            'oldest_due_date', c.oldest_due_date::text, 'total_overdue', c.total_overdue::text,
            'assigned_agent_id', c.assigned_agent_id, 'assigned_team_id', c.assigned_team_id, 'assigned_at', c.assigned_at,
            'assigned_by', c.assigned_by, 'created_at', c.created_at, 'updated_at', c.updated_at, 'version', c.version) as customer,
          (select coalesce(json_agg(json_build_object('id', l.id, 'customer_id', l.customer_id, 'loan_number', l.loan_number,
              'product_name', l.product_name, 'principal', l.principal::text, 'interest_rate', l.interest_rate::text,
              'term_months', l.term_months, 'installment_amount', l.installment_amount::text, 'currency', l.currency,
              'disbursed_at', l.disbursed_at::text, 'outstanding_balance', l.outstanding_balance::text,
              'amount_overdue', l.amount_overdue::text, 'next_due_date', l.next_due_date::text,
              'missed_installments', l.missed_installments, 'payment_status', l.payment_status,
              'collection_status', l.collection_status, 'created_at', l.created_at, 'updated_at', l.updated_at,
              'version', l.version) order by l.created_at desc, l.id desc), '[]'::json)
             from loans l where l.customer_id = c.id) as loans,
          exists (select 1 from payment_promises p where p.customer_id = c.id and p.status = 'pending'
                  and p.due_date + ${graceDays}::int < (${at}::timestamptz at time zone c.timezone)::date) as lapsed_promise,
          (select json_build_object('userId', k.user_id, 'apiKeyId', k.api_key_id, 'name', coalesce(u.name, a.name), 'until', k.expires_at)
             from call_claims k left join users u on u.id = k.user_id left join api_keys a on a.id = k.api_key_id
            where k.customer_id = c.id and k.released_at is null and k.expires_at > ${at}::timestamptz) as live_claim,
          ${contextColumns(sql`c.id`, at)}
        from c`,
  );
  if (!row) return undefined;
  return {
    customer: toCustomerRow(parseJsonColumn<JsonRow>(row.customer)),
    loans: parseJsonColumn<JsonRow[]>(row.loans).map(toLoanRow),
    lapsedPromise: Boolean(row.lapsed_promise),
    liveClaim: parseJsonColumn<LiveClaim | null>(row.live_claim),
    context: toCallContext(row),
  };
}
