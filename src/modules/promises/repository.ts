import { and, desc, eq, sql } from "drizzle-orm";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../db/client.js";
import { paymentPromises } from "../../db/schema/index.js";
import { queryRows } from "../../db/client.js";

export type PromiseRow = typeof paymentPromises.$inferSelect;

export async function listLoanPromises(db: DbOrTx, loanId: string): Promise<PromiseRow[]> {
  return db
    .select()
    .from(paymentPromises)
    .where(eq(paymentPromises.loanId, loanId))
    .orderBy(desc(paymentPromises.createdAt))
    .limit(200);
}

/** A new promise, as a statement (post-call runs it inside its own; `.returning()` gives the row). */
export const insertPromise = (db: DbOrTx, values: PgInsertValue<typeof paymentPromises>) =>
  db.insert(paymentPromises).values(values).returning();

/** A new promise replaces the loan's earlier pending ones (a statement: awaited, or run inside post-call's). */
export const cancelPendingPromises = (db: DbOrTx, loanId: string, now: Date) =>
  db
    .update(paymentPromises)
    .set({ status: "cancelled", resolvedAt: now, updatedAt: now })
    .where(and(eq(paymentPromises.loanId, loanId), eq(paymentPromises.status, "pending")));

/**
 * Pending promises whose payments (made from the promise to its due date plus the grace days, in the
 * customer's calendar) reach the amount become kept.
 */
export async function markKeptPromises(db: DbOrTx, loanId: string, graceDays: number, now: Date): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update payment_promises p set status = 'kept', resolved_at = ${now.toISOString()}::timestamptz, updated_at = ${now.toISOString()}::timestamptz
        from customers c
        where c.id = p.customer_id and p.loan_id = ${loanId} and p.status = 'pending'
          and (select coalesce(sum(pay.amount), 0) from payments pay
               where pay.loan_id = p.loan_id and pay.paid_at >= p.created_at
                 and (pay.paid_at at time zone c.timezone)::date <= p.due_date + ${graceDays}::int) >= p.amount
        returning p.id`,
  );
  return rows.length;
}

/**
 * Pending promises past their due date plus grace (the customer's calendar) become broken, and their
 * loans go back from promise_to_pay to in_collection unless another promise is still pending.
 * Scoped to one customer or loan for on-read freshness, or to everything for the periodic job.
 */
export async function markBrokenPromises(
  db: DbOrTx,
  graceDays: number,
  now: Date,
  scope: { customerId?: string; loanId?: string } = {},
): Promise<number> {
  const at = now.toISOString();
  const rows = await queryRows<{ n: unknown }>(
    db,
    sql`with broken as (
          update payment_promises p set status = 'broken', resolved_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
          from customers c
          where c.id = p.customer_id and p.status = 'pending'
            -- The coarse bound (a day either side covers every timezone) lets the pending-due index
            -- narrow the rows before the exact test in each customer's calendar.
            and p.due_date < ${at.slice(0, 10)}::date + 1 - ${graceDays}::int
            and p.due_date + ${graceDays}::int < (${at}::timestamptz at time zone c.timezone)::date
            ${scope.customerId ? sql`and p.customer_id = ${scope.customerId}` : sql``}
            ${scope.loanId ? sql`and p.loan_id = ${scope.loanId}` : sql``}
          returning p.id, p.loan_id
        ), reopened as (
          update loans l set collection_status = 'in_collection', updated_at = ${at}::timestamptz, version = l.version + 1
          where l.id in (select loan_id from broken) and l.collection_status = 'promise_to_pay'
            and not exists (select 1 from payment_promises q
                            where q.loan_id = l.id and q.status = 'pending' and q.id not in (select id from broken))
          returning l.id
        )
        select count(*) as n from broken`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** After a promise is kept, a loan still marked promise_to_pay returns to in_collection (or none). */
export async function settlePromiseStatus(db: DbOrTx, loanId: string, now: Date): Promise<void> {
  await db.execute(
    sql`update loans l set collection_status = case when l.amount_overdue > 0 then 'in_collection' else 'none' end,
               updated_at = ${now.toISOString()}::timestamptz, version = l.version + 1
        where l.id = ${loanId} and l.collection_status = 'promise_to_pay'
          and not exists (select 1 from payment_promises q where q.loan_id = l.id and q.status = 'pending')`,
  );
}
