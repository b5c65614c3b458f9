import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.js";
import { bucketSql } from "../customers/repository.js";
import { OPEN_LOAN_SQL } from "../loans/arrears.js";

export type Row = Record<string, unknown>;

export interface Period {
  start: Date;
  end: Date;
  /** The centre's timezone: the calendar the days are counted in. */
  tz: string;
}

/** An instant's calendar day (YYYY-MM-DD) on the centre's clock. */
const dayOf = (column: SQL, tz: string) => sql`to_char(${column} at time zone ${tz}, 'YYYY-MM-DD')`;
const within = (column: SQL, p: Period) =>
  sql`${column} >= ${p.start.toISOString()}::timestamptz and ${column} < ${p.end.toISOString()}::timestamptz`;

/** Every calendar day the period touches, so a day with no activity still has its row. */
export async function periodDays(db: DbOrTx, p: Period): Promise<string[]> {
  const rows = await queryRows<{ day: string }>(
    db,
    sql`select to_char(d, 'YYYY-MM-DD') as day
        from generate_series((${p.start.toISOString()}::timestamptz at time zone ${p.tz})::date,
                             ((${p.end.toISOString()}::timestamptz - interval '1 microsecond') at time zone ${p.tz})::date,
                             interval '1 day') d`,
  );
  return rows.map((r) => r.day);
}

/** Calls per agent, disposition and day, counted as contacts and right-party contacts by the dispositions' flags. */
export async function callFigures(db: DbOrTx, p: Period): Promise<Row[]> {
  return queryRows(
    db,
    sql`select i.agent_id, u.name as agent_name, i.disposition, ${dayOf(sql`i.started_at`, p.tz)} as day,
               count(*) as calls,
               count(*) filter (where d.contacted) as contacts,
               count(*) filter (where d.right_party_contact) as rpc
        from customer_interactions i
        left join dispositions d on d.code = i.disposition
        left join users u on u.id = i.agent_id
        where i.channel = 'call' and ${within(sql`i.started_at`, p)}
        group by 1, 2, 3, 4`,
  );
}

/**
 * Promises per creator and day: made on the day they were made, kept or broken on the day they were
 * judged so (one promise may be made in the period and resolved in another).
 */
export async function promiseFigures(db: DbOrTx, p: Period): Promise<Row[]> {
  return queryRows(
    db,
    sql`select agent_id, day,
               sum(made) as made, sum(made_amount)::text as made_amount,
               sum(kept) as kept, sum(kept_amount)::text as kept_amount,
               sum(broken) as broken, sum(broken_amount)::text as broken_amount
        from (
          select p.created_by as agent_id, ${dayOf(sql`p.created_at`, p.tz)} as day,
                 1 as made, p.amount as made_amount, 0 as kept, 0 as kept_amount, 0 as broken, 0 as broken_amount
          from payment_promises p where ${within(sql`p.created_at`, p)}
          union all
          select p.created_by, ${dayOf(sql`p.resolved_at`, p.tz)},
                 0, 0,
                 (p.status = 'kept')::int, case when p.status = 'kept' then p.amount else 0 end,
                 (p.status = 'broken')::int, case when p.status = 'broken' then p.amount else 0 end
          from payment_promises p where p.status in ('kept', 'broken') and ${within(sql`p.resolved_at`, p)}
        ) x
        group by agent_id, day`,
  );
}

/**
 * Money collected per credited agent and day. Why this attribution: a kept promise does not record
 * which payments kept it, so the link is the rule that judged it kept (promises/repository.ts
 * markKeptPromises): a payment on the promise's loan, made from the promise to its due date plus the
 * grace days (customer's calendar), and already there when the promise was judged kept. Such a
 * payment is credited to the promise's creator (the latest such promise when several match); any other
 * payment to the customer's assigned agent at the time of the query; with neither, to nobody
 * (agent_id null).
 */
export async function collectedFigures(db: DbOrTx, p: Period, graceDays: number): Promise<Row[]> {
  return queryRows(
    db,
    sql`select coalesce(kp.created_by, ca.assigned_agent_id) as agent_id, u.name as agent_name,
               ${dayOf(sql`pay.paid_at`, p.tz)} as day,
               count(*) as payments, sum(pay.amount)::text as amount
        from payments pay
        join loans l on l.id = pay.loan_id
        join customers c on c.id = l.customer_id
        left join customer_assignments ca on ca.customer_id = c.id
        left join lateral (
          select pr.created_by from payment_promises pr
          where pr.loan_id = pay.loan_id and pr.status = 'kept'
            and pay.paid_at >= pr.created_at and pay.paid_at <= pr.resolved_at
            and (pay.paid_at at time zone c.timezone)::date <= pr.due_date + ${graceDays}::int
          order by pr.created_at desc
          limit 1
        ) kp on true
        left join users u on u.id = coalesce(kp.created_by, ca.assigned_agent_id)
        where ${within(sql`pay.paid_at`, p)}
        group by 1, 2, 3`,
  );
}

/** Customers, their open loans and their total overdue per arrears bucket, in one pass over customers. */
export async function arrearsFigures(db: DbOrTx, now: Date): Promise<Row[]> {
  return queryRows(
    db,
    sql`select ${bucketSql(now)} as bucket, count(*) as customers,
               coalesce(sum(ol.n), 0) as loans, coalesce(sum(customers.total_overdue), 0)::text as total_overdue
        from customers
        left join (select l.customer_id, count(*) as n from loans l where ${OPEN_LOAN_SQL} group by l.customer_id) ol
          on ol.customer_id = customers.id
        group by 1`,
  );
}
