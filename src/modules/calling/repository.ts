import { desc, eq, or, sql } from "drizzle-orm";
import { type DbOrTx, queryRows, toNumber } from "../../db/client.js";
import { customers, dispositions } from "../../db/schema/index.js";
import type { CustomerRow } from "../customers/repository.js";

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

export interface RecentInteraction {
  id: string;
  customerId: string;
  loanId: string | null;
  agentId: string | null;
  agentName: string | null;
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
 * Everything a call decision needs about one customer, in one round trip: the pre-call screen is the
 * hottest route, so the database assembles it rather than seven queries. Money is cast to text inside
 * the JSON so it never passes through a float.
 */
export async function loadCallContext(db: DbOrTx, customerId: string, now: Date): Promise<CallContext> {
  const at = now.toISOString();
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select
      (select json_build_object('amount', p.amount::text, 'paidAt', p.paid_at)
         from payments p join loans l on l.id = p.loan_id
        where l.customer_id = ${customerId} order by p.paid_at desc limit 1) as last_payment,
      (select count(*) from payment_promises where customer_id = ${customerId} and status = 'pending') as open_promises,
      (select count(*) from payment_promises where customer_id = ${customerId} and status = 'broken'
          and coalesce(resolved_at, updated_at) >= ${at}::timestamptz - interval '90 days') as broken_90,
      (select coalesce(json_agg(due_date), '[]'::json) from payment_promises where customer_id = ${customerId} and status = 'pending') as pending_due,
      exists (select 1 from loans where customer_id = ${customerId} and collection_status = 'dispute') as dispute_open,
      (select coalesce(json_agg(phone), '[]'::json) from customer_phone_flags where customer_id = ${customerId}) as flagged,
      (select coalesce(json_agg(started_at), '[]'::json) from customer_interactions
        where customer_id = ${customerId} and channel = 'call' and direction = 'outbound'
          and started_at > ${at}::timestamptz - interval '8 days') as attempts,
      (select callback_at from customer_interactions where customer_id = ${customerId} and callback_at is not null
        order by started_at desc limit 1) as callback_at,
      (select coalesce(json_agg(x), '[]'::json) from (
         select i.id, i.customer_id as "customerId", i.loan_id as "loanId", i.agent_id as "agentId", u.name as "agentName",
                i.channel, i.direction, i.call_id as "callId", i.started_at as "startedAt", i.duration_seconds as "durationSeconds",
                i.disposition, i.notes, i.created_at as "createdAt"
           from customer_interactions i left join users u on u.id = i.agent_id
          where i.customer_id = ${customerId} order by i.started_at desc, i.id desc limit 10) x) as recent`,
  );
  const r = row ?? {};
  const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;
  const last = json<{ amount: string; paidAt: string } | null>(r.last_payment);
  return {
    lastPayment: last ? { amount: last.amount, paidAt: iso(last.paidAt)! } : null,
    openPromises: toNumber(r.open_promises),
    brokenPromisesLast90Days: toNumber(r.broken_90),
    pendingPromiseDueDates: json<string[]>(r.pending_due).map((d) => String(d).slice(0, 10)),
    disputeOpen: Boolean(r.dispute_open),
    flaggedPhones: json<string[]>(r.flagged),
    outboundAttempts: json<string[]>(r.attempts).map((a) => new Date(a)),
    callbackAt: r.callback_at ? new Date(r.callback_at as string | Date) : null,
    recentInteractions: json<RecentInteraction[]>(r.recent).map((i) => ({
      ...i,
      startedAt: iso(i.startedAt)!,
      createdAt: iso(i.createdAt)!,
    })),
  };
}
