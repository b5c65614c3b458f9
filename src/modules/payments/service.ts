import type { Static } from "typebox";
import { AppError } from "../../lib/errors.js";
import { formatMoney, toCents } from "../../lib/money.js";
import { paginate, timeKeyOf } from "../../lib/pagination.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { refreshCustomerArrears } from "../loans/arrears.js";
import { findLoan, updateLoanBalances } from "../loans/repository.js";
import { toLoanView } from "../loans/views.js";
import { markKeptPromises, settlePromiseStatus } from "../promises/repository.js";
import { applyPayment } from "./apply.js";
import { findPaymentByReference, insertPaymentOnce, listPayments, type PaymentRow } from "./repository.js";
import type { PaymentBody, PaymentListQuery } from "./schemas.js";

export const toPaymentView = (p: PaymentRow) => ({
  id: p.id,
  loanId: p.loanId,
  amount: p.amount,
  paidAt: p.paidAt.toISOString(),
  method: p.method,
  reference: p.reference,
  recordedBy: p.recordedBy,
  createdAt: p.createdAt.toISOString(),
});

/**
 * Records a payment and updates the loan and the customer's arrears in one transaction. The loan row
 * is locked first, so concurrent payments apply one after the other against fresh balances; the
 * (loan, reference) key makes a retried request return the first payment and change nothing.
 */
export async function recordPayment(
  services: Services,
  loanId: string,
  input: Static<typeof PaymentBody>,
  ctx: RequestContext,
) {
  const { db, clock } = services;
  const now = clock.now();
  const amount = formatMoney(input.amount);
  if (toCents(amount) <= 0n) {
    throw new AppError("VALIDATION_ERROR", "The amount must be greater than 0", {
      details: [{ path: "/amount", message: "must be greater than 0" }],
    });
  }
  const paidAt = new Date(input.paidAt);
  if (paidAt.getTime() > now.getTime() + 5 * 60_000) {
    throw new AppError("VALIDATION_ERROR", "A payment cannot be in the future", {
      details: [{ path: "/paidAt", message: "is in the future" }],
    });
  }

  return db.transaction(async (tx) => {
    const found = await findLoan(tx, loanId, true);
    if (!found) throw new AppError("NOT_FOUND", "Loan not found");
    const payment = await insertPaymentOnce(tx, {
      loanId,
      amount,
      paidAt,
      method: input.method,
      reference: input.reference.trim(),
      recordedBy: ctx.actorId ?? null,
      createdAt: now,
    });
    if (!payment) {
      const original = await findPaymentByReference(tx, loanId, input.reference.trim());
      return { created: false, payment: toPaymentView(original!), loan: toLoanView(found.loan, found.timezone, now) };
    }
    if (toCents(amount) > toCents(found.loan.outstandingBalance)) {
      throw new AppError(
        "VALIDATION_ERROR",
        `The amount exceeds the outstanding balance (${found.loan.outstandingBalance})`,
        {
          details: [{ path: "/amount", message: `exceeds the outstanding balance ${found.loan.outstandingBalance}` }],
        },
      );
    }
    const next = applyPayment(found.loan, amount);
    // The loan row is locked (findLoan FOR UPDATE), so the version read is the one being replaced.
    const updated = await updateLoanBalances(tx, loanId, next, found.loan.version, now);
    // Promises are kept by payments inside the same transaction, so a read never sees one without the other.
    if ((await markKeptPromises(tx, loanId, services.config.PROMISE_GRACE_DAYS, now)) > 0)
      await settlePromiseStatus(tx, loanId, now);
    await refreshCustomerArrears(tx, [found.loan.customerId]);
    await recordAudit(tx, ctx, {
      action: "payment.recorded",
      entityType: "loan",
      entityId: loanId,
      details: {
        paymentId: payment.id,
        amount,
        method: input.method,
        reference: payment.reference,
        outstandingBalance: { from: found.loan.outstandingBalance, to: updated!.outstandingBalance },
        paymentStatus: { from: found.loan.paymentStatus, to: updated!.paymentStatus },
      },
    });
    const fresh = (await findLoan(tx, loanId))!;
    return { created: true, payment: toPaymentView(payment), loan: toLoanView(fresh.loan, fresh.timezone, now) };
  });
}

export async function listPaymentViews(services: Services, loanId: string, query: Static<typeof PaymentListQuery>) {
  const found = await findLoan(services.db, loanId);
  if (!found) throw new AppError("NOT_FOUND", "Loan not found");
  const rows = await listPayments(services.db, loanId, query.limit + 1, timeKeyOf(query.cursor));
  return paginate(rows.map(toPaymentView), query.limit, (p) => [p.paidAt, p.id]);
}
