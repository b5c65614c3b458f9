import { inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { customers } from "../../db/schema/index.js";

export const BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"] as const;
export type Bucket = (typeof BUCKETS)[number];

export const DEFAULT_TIMEZONE = "Africa/Algiers";

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** Building an Intl formatter costs far more than using one, and every loan view needs one. */
function dayFormatter(timezone: string): Intl.DateTimeFormat {
  let f = dayFormatters.get(timezone);
  if (!f) {
    const zone = isValidTimezone(timezone) ? timezone : DEFAULT_TIMEZONE;
    f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormatters.set(timezone, f);
  }
  return f;
}

/** Today's calendar date (YYYY-MM-DD) in a customer's timezone: arrears age at local midnight. */
export function todayIn(timezone: string, now: Date): string {
  return dayFormatter(timezone).format(now);
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Whole days from `from` to `to`, both YYYY-MM-DD. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface ArrearsFields {
  nextDueDate: string | null;
  outstandingBalance: string;
  paymentStatus: string;
}

/** A loan still owes money and can fall behind. */
export function isOpenLoan(loan: Pick<ArrearsFields, "outstandingBalance" | "paymentStatus">): boolean {
  return (
    Number(loan.outstandingBalance) > 0 && loan.paymentStatus !== "paid_off" && loan.paymentStatus !== "written_off"
  );
}

/** Days past due, derived at read time from next_due_date and today, so it is never stale. */
export function daysPastDue(loan: ArrearsFields, today: string): number {
  if (!isOpenLoan(loan) || !loan.nextDueDate) return 0;
  return Math.max(0, daysBetween(loan.nextDueDate, today));
}

export function bucketOf(days: number): Bucket {
  if (days <= 0) return "current";
  if (days <= 30) return "1-30";
  if (days <= 60) return "31-60";
  if (days <= 90) return "61-90";
  return "90+";
}

/** The days-past-due range of a bucket, inclusive; `max` undefined means no upper bound. */
export function bucketRange(bucket: Bucket): { min: number; max?: number } {
  switch (bucket) {
    case "current":
      return { min: 0, max: 0 };
    case "1-30":
      return { min: 1, max: 30 };
    case "31-60":
      return { min: 31, max: 60 };
    case "61-90":
      return { min: 61, max: 90 };
    case "90+":
      return { min: 91 };
  }
}

/** SQL condition of an open loan, the same rule as isOpenLoan. */
export const OPEN_LOAN_CONDITION = "l.outstanding_balance > 0 and l.payment_status not in ('paid_off', 'written_off')";
export const OPEN_LOAN_SQL = sql.raw(OPEN_LOAN_CONDITION);

/**
 * Rewrites customers.oldest_due_date and total_overdue from their loans. Called in the transaction
 * of every loan or payment change (and by the import and the seeders), which is what keeps them true.
 */
export async function refreshCustomerArrears(db: DbOrTx, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await db
    .update(customers)
    .set({
      oldestDueDate: sql`(select min(l.next_due_date) from loans l where l.customer_id = ${customers.id} and ${OPEN_LOAN_SQL})`,
      totalOverdue: sql`coalesce((select sum(l.amount_overdue) from loans l where l.customer_id = ${customers.id} and ${OPEN_LOAN_SQL}), 0)`,
    })
    .where(inArray(customers.id, [...new Set(customerIds)]));
}
