import { fromCents, toCents } from "../../lib/money.js";
import { bucketOf, daysPastDue, isOpenLoan, todayIn } from "./arrears.js";
import type { LoanRow } from "./repository.js";

export function toLoanView(loan: LoanRow, timezone: string, now: Date) {
  const days = daysPastDue(loan, todayIn(timezone, now));
  return {
    id: loan.id,
    customerId: loan.customerId,
    loanNumber: loan.loanNumber,
    productName: loan.productName,
    principal: loan.principal,
    interestRate: loan.interestRate,
    termMonths: loan.termMonths,
    installmentAmount: loan.installmentAmount,
    currency: loan.currency,
    disbursedAt: loan.disbursedAt,
    outstandingBalance: loan.outstandingBalance,
    amountOverdue: loan.amountOverdue,
    nextDueDate: loan.nextDueDate,
    missedInstallments: loan.missedInstallments,
    paymentStatus: loan.paymentStatus,
    collectionStatus: loan.collectionStatus,
    daysPastDue: days,
    bucket: bucketOf(days),
    createdAt: loan.createdAt.toISOString(),
    updatedAt: loan.updatedAt.toISOString(),
    version: loan.version,
  };
}

export type LoanView = ReturnType<typeof toLoanView>;

/** Totals over a customer's loans, as the customer profile and the pre-call screen show them. */
export function summariseLoans(views: LoanView[]) {
  let outstanding = 0n;
  let overdue = 0n;
  for (const v of views) {
    outstanding += toCents(v.outstandingBalance);
    overdue += toCents(v.amountOverdue);
  }
  return {
    loanCount: views.length,
    openLoans: views.filter(isOpenLoan).length,
    totalOutstanding: fromCents(outstanding),
    totalOverdue: fromCents(overdue),
    maxDaysPastDue: Math.max(0, ...views.map((v) => v.daysPastDue)),
  };
}
