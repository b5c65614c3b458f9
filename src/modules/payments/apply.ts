import type { CollectionStatus, PaymentStatus } from "../../db/schema/index.js";
import { addMonths } from "../../lib/calendar.js";
import { fromCents, maxCents, toCents } from "../../lib/money.js";

export interface LoanBalances {
  outstandingBalance: string;
  amountOverdue: string;
  installmentAmount: string;
  missedInstallments: number;
  nextDueDate: string | null;
  paymentStatus: PaymentStatus;
  collectionStatus: CollectionStatus;
}

/**
 * A payment's effect on a loan: it pays arrears first, each installment it clears moves the next due
 * date a month on, and a loan paid in full is closed. The caller has checked amount ≤ outstanding.
 */
export function applyPayment(loan: LoanBalances, amount: string): LoanBalances {
  const paid = toCents(amount);
  const outstanding = toCents(loan.outstandingBalance) - paid;
  const overdue = maxCents(0n, toCents(loan.amountOverdue) - paid);
  const installment = toCents(loan.installmentAmount);
  const missed = installment > 0n ? Number((overdue + installment - 1n) / installment) : 0;
  const cleared = Math.max(0, loan.missedInstallments - missed);
  const settled = outstanding === 0n;

  let paymentStatus: PaymentStatus;
  if (settled) paymentStatus = "paid_off";
  else if (loan.paymentStatus === "written_off") paymentStatus = "written_off";
  else if (overdue > 0n) paymentStatus = loan.paymentStatus === "defaulted" ? "defaulted" : "overdue";
  else paymentStatus = "current";

  let collectionStatus = loan.collectionStatus;
  if (settled) collectionStatus = "closed";
  else if (overdue === 0n && (collectionStatus === "in_collection" || collectionStatus === "promise_to_pay"))
    collectionStatus = "none";

  return {
    ...loan,
    outstandingBalance: fromCents(outstanding),
    amountOverdue: fromCents(overdue),
    missedInstallments: missed,
    nextDueDate: settled ? null : loan.nextDueDate ? addMonths(loan.nextDueDate, cleared) : null,
    paymentStatus,
    collectionStatus,
  };
}
