import type { AppError } from "../../lib/errors.js";
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows, toNumber } from "../../db/client.js";
import { updateAtVersion } from "../../lib/versioning.js";
import {
  type CollectionStatus,
  customerInteractions,
  customers,
  loans,
  paymentPromises,
  type PaymentStatus,
  payments,
} from "../../db/schema/index.js";
import { olderThan, type TimeKey } from "../../lib/pagination.js";

export type LoanRow = typeof loans.$inferSelect;
export type LoanWithTimezone = { loan: LoanRow; timezone: string };

/** A loan with its customer's timezone, which its days past due are counted in. */
export async function findLoan(db: DbOrTx, id: string, forUpdate = false): Promise<LoanWithTimezone | undefined> {
  const query = db
    .select({ loan: loans, timezone: customers.timezone })
    .from(loans)
    .innerJoin(customers, eq(customers.id, loans.customerId))
    .where(eq(loans.id, id))
    .limit(1);
  const [row] = forUpdate ? await query.for("update", { of: loans }) : await query;
  return row;
}

export async function listLoans(
  db: DbOrTx,
  filter: {
    customerId?: string;
    paymentStatus?: PaymentStatus;
    collectionStatus?: CollectionStatus;
    after?: TimeKey;
    limit: number;
  },
): Promise<LoanWithTimezone[]> {
  const conditions: (SQL | undefined)[] = [
    filter.customerId ? eq(loans.customerId, filter.customerId) : undefined,
    filter.paymentStatus ? eq(loans.paymentStatus, filter.paymentStatus) : undefined,
    filter.collectionStatus ? eq(loans.collectionStatus, filter.collectionStatus) : undefined,
    olderThan(loans.createdAt, loans.id, filter.after),
  ];
  return db
    .select({ loan: loans, timezone: customers.timezone })
    .from(loans)
    .innerJoin(customers, eq(customers.id, loans.customerId))
    .where(and(...conditions))
    .orderBy(desc(loans.createdAt), desc(loans.id))
    .limit(filter.limit);
}

/** A payment's effect on a loan the caller holds locked; bumps the version like any edit. */
export async function updateLoanBalances(
  db: DbOrTx,
  id: string,
  balances: Partial<typeof loans.$inferInsert>,
  version: number,
  now: Date,
): Promise<LoanRow | undefined> {
  const [row] = await db
    .update(loans)
    .set({ ...balances, updatedAt: now, version: version + 1 })
    .where(eq(loans.id, id))
    .returning();
  return row;
}

/** The timezone a customer's arrears are counted in; undefined when there is no such customer. */
export async function customerTimezone(db: DbOrTx, customerId: string): Promise<string | undefined> {
  const [row] = await db.select({ timezone: customers.timezone }).from(customers).where(eq(customers.id, customerId));
  return row?.timezone;
}

export async function loanBelongsTo(db: DbOrTx, loanId: string, customerId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: loans.id })
    .from(loans)
    .where(and(eq(loans.id, loanId), eq(loans.customerId, customerId)));
  return row !== undefined;
}

export async function insertLoan(db: DbOrTx, values: typeof loans.$inferInsert): Promise<LoanRow> {
  const [row] = await db.insert(loans).values(values).returning();
  return row!;
}

/** An edit at the version the client read; a stale one is a VERSION_CONFLICT carrying `current()`. */
export const updateLoanAtVersion = (
  db: DbOrTx,
  target: { id: string; version: number },
  changes: Partial<typeof loans.$inferInsert>,
  now: Date,
  conflict: () => Promise<AppError> | AppError,
): Promise<LoanRow> => updateAtVersion(db, loans, target, changes, now, conflict);

/** What still refers to a loan: a loan with history is kept (the history would lose its meaning). */
export async function countLoanHistory(db: DbOrTx, id: string) {
  const [row] = await queryRows<{ payments: unknown; promises: unknown; interactions: unknown }>(
    db,
    sql`select (select count(*) from ${payments} where ${payments.loanId} = ${id}) as payments,
               (select count(*) from ${paymentPromises} where ${paymentPromises.loanId} = ${id}) as promises,
               (select count(*) from ${customerInteractions} where ${customerInteractions.loanId} = ${id}) as interactions`,
  );
  return {
    payments: toNumber(row?.payments),
    promises: toNumber(row?.promises),
    interactions: toNumber(row?.interactions),
  };
}

export async function deleteLoanRow(db: DbOrTx, id: string): Promise<void> {
  await db.delete(loans).where(eq(loans.id, id));
}
