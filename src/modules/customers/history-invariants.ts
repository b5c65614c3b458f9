import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.js";

/**
 * What the API guarantees about a collections history, as queries: each returns the rows that break
 * one rule. The sample seeder checks its data against them before committing, and the tests check the
 * seed with them, so a demo portfolio is always one the API could have produced.
 */
const RULES: { rule: string; query: (scope: SQL) => SQL }[] = [
  {
    rule: "a loan in promise_to_pay has a pending promise",
    query: (
      scope,
    ) => sql`select l.loan_number as what from loans l where l.collection_status = 'promise_to_pay' and l.customer_id ${scope}
      and not exists (select 1 from payment_promises p where p.loan_id = l.id and p.status = 'pending')`,
  },
  {
    rule: "a pending promise's loan is in promise_to_pay",
    query: (scope) => sql`select l.loan_number as what from payment_promises p join loans l on l.id = p.loan_id
      where p.status = 'pending' and l.collection_status <> 'promise_to_pay' and p.customer_id ${scope}`,
  },
  {
    rule: "a promise_to_pay call made a promise",
    query: (scope) => sql`select coalesce(i.call_id, i.id::text) as what from customer_interactions i
      where i.channel = 'call' and i.disposition = 'promise_to_pay' and i.customer_id ${scope}
        and not exists (select 1 from payment_promises p where p.interaction_id = i.id)`,
  },
  {
    rule: "a kept promise was paid between its making and its due date plus grace",
    query: (scope) => sql`select p.id::text as what from payment_promises p
      where p.status = 'kept' and p.customer_id ${scope}
        and (select coalesce(sum(pay.amount), 0) from payments pay where pay.loan_id = p.loan_id and pay.paid_at >= p.created_at
             and pay.paid_at::date <= p.due_date + 7) < p.amount`,
  },
  {
    rule: "a resolved promise has a resolution time, a pending one none",
    query: (scope) => sql`select p.id::text as what from payment_promises p
      where p.customer_id ${scope} and ((p.status = 'pending') = (p.resolved_at is not null))`,
  },
  {
    rule: "a callback_requested interaction has a callback time",
    query: (scope) => sql`select coalesce(i.call_id, i.id::text) as what from customer_interactions i
      where i.disposition = 'callback_requested' and i.callback_at is null and i.customer_id ${scope}`,
  },
  {
    rule: "a wrong_number outcome flagged a number of the customer",
    query: (scope) => sql`select coalesce(i.call_id, i.id::text) as what from customer_interactions i
      where i.disposition = 'wrong_number' and i.customer_id ${scope}
        and not exists (select 1 from customer_phone_flags f where f.customer_id = i.customer_id)`,
  },
  {
    rule: "a do_not_call or deceased outcome marked the customer do-not-call",
    query: (
      scope,
    ) => sql`select coalesce(i.call_id, i.id::text) as what from customer_interactions i join customers c on c.id = i.customer_id
      where i.disposition in ('do_not_call', 'deceased') and not c.do_not_call and i.customer_id ${scope}`,
  },
  {
    rule: "a dispute call on a loan put it in dispute (or a later status)",
    query: (scope) => sql`select l.loan_number as what from customer_interactions i join loans l on l.id = i.loan_id
      where i.disposition = 'dispute' and l.collection_status in ('none', 'promise_to_pay') and i.customer_id ${scope}`,
  },
];

/** Every broken rule, as "rule: offending rows"; empty when the history is consistent. */
export async function findHistoryContradictions(
  db: DbOrTx,
  options: { customerIds?: string[] } = {},
): Promise<string[]> {
  const scope = options.customerIds ? sql`= any(${sql.param(options.customerIds)}::uuid[])` : sql`is not null`;
  const problems: string[] = [];
  for (const { rule, query } of RULES) {
    const rows = await queryRows<{ what: string }>(db, sql`${query(scope)} limit 5`);
    if (rows.length > 0) problems.push(`${rule}: not so for ${rows.map((r) => r.what).join(", ")}`);
  }
  return problems;
}
