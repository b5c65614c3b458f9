import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { payments } from "../../db/schema/index.js";
import { olderThan, type TimeKey } from "../../lib/pagination.js";

export type PaymentRow = typeof payments.$inferSelect;

/** Inserts unless (loan, reference) exists; undefined means "already recorded". */
export async function insertPaymentOnce(
  db: DbOrTx,
  values: typeof payments.$inferInsert,
): Promise<PaymentRow | undefined> {
  const [row] = await db
    .insert(payments)
    .values(values)
    .onConflictDoNothing({ target: [payments.loanId, payments.reference] })
    .returning();
  return row;
}

export async function findPaymentByReference(
  db: DbOrTx,
  loanId: string,
  reference: string,
): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.loanId, loanId), eq(payments.reference, reference)))
    .limit(1);
  return row;
}

export async function listPayments(db: DbOrTx, loanId: string, limit: number, after?: TimeKey) {
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.loanId, loanId), olderThan(payments.paidAt, payments.id, after)))
    .orderBy(desc(payments.paidAt), desc(payments.id))
    .limit(limit);
}
