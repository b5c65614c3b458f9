import type { Static } from "typebox";
import { AppError } from "../../lib/errors.js";
import { formatMoney, toCents } from "../../lib/money.js";
import { paginate, timeKeyOf } from "../../lib/pagination.js";
import { diff, versionConflict } from "../../lib/versioning.js";
import type { RequestContext, Services } from "../../services.js";
import { lastChange } from "../audit/repository.js";
import { recordAudit } from "../audit/service.js";
import { refreshCustomerArrears } from "./arrears.js";
import {
  countLoanHistory,
  customerTimezone,
  deleteLoanRow,
  findLoan,
  insertLoan,
  listLoans,
  updateLoanAtVersion,
} from "./repository.js";
import type { LoanCreateBody, LoanListQuery, LoanPatchBody } from "./schemas.js";
import { toLoanView } from "./views.js";

const LOAN_FIELDS = [
  "productName",
  "interestRate",
  "termMonths",
  "installmentAmount",
  "outstandingBalance",
  "amountOverdue",
  "nextDueDate",
  "missedInstallments",
  "paymentStatus",
  "collectionStatus",
];

/** Installments behind, from the overdue amount: what a loan officer would count. */
export function missedInstallmentsFor(amountOverdue: string, installmentAmount: string): number {
  const installment = toCents(installmentAmount);
  if (installment <= 0n) return 0;
  const overdue = toCents(amountOverdue);
  return Number((overdue + installment - 1n) / installment);
}

export async function getLoanView(services: Services, id: string) {
  const found = await findLoan(services.db, id);
  if (!found) throw new AppError("NOT_FOUND", "Loan not found");
  return toLoanView(found.loan, found.timezone, services.clock.now());
}

export async function listLoanViews(services: Services, query: Static<typeof LoanListQuery>) {
  const after = timeKeyOf(query.cursor);
  const rows = await listLoans(services.db, { ...query, after, limit: query.limit + 1 });
  const now = services.clock.now();
  const views = rows.map((r) => toLoanView(r.loan, r.timezone, now));
  return paginate(views, query.limit, (v) => [v.createdAt, v.id]);
}

export async function createLoan(services: Services, input: Static<typeof LoanCreateBody>, ctx: RequestContext) {
  const { db, clock } = services;
  const now = clock.now();
  const amountOverdue = formatMoney(input.amountOverdue ?? "0");
  const overdue = toCents(amountOverdue) > 0n;
  const outstanding = formatMoney(input.outstandingBalance ?? input.principal);
  if (toCents(amountOverdue) > toCents(outstanding)) {
    throw new AppError("VALIDATION_ERROR", "The overdue amount cannot exceed the outstanding balance", {
      details: [{ path: "/amountOverdue", message: "exceeds outstandingBalance" }],
    });
  }
  return db.transaction(async (tx) => {
    const timezone = await customerTimezone(tx, input.customerId);
    if (timezone === undefined) {
      throw new AppError("VALIDATION_ERROR", "No customer has this id", {
        details: [{ path: "/customerId", message: "no such customer" }],
      });
    }
    const loan = await insertLoan(tx, {
      customerId: input.customerId,
      loanNumber: input.loanNumber.trim(),
      productName: input.productName.trim(),
      principal: formatMoney(input.principal),
      interestRate: input.interestRate ?? "0",
      termMonths: input.termMonths,
      installmentAmount: formatMoney(input.installmentAmount),
      currency: input.currency ?? "DZD",
      disbursedAt: input.disbursedAt ?? null,
      outstandingBalance: outstanding,
      amountOverdue,
      nextDueDate: input.nextDueDate ?? null,
      missedInstallments: input.missedInstallments ?? missedInstallmentsFor(amountOverdue, input.installmentAmount),
      paymentStatus:
        input.paymentStatus ?? (toCents(outstanding) === 0n ? "paid_off" : overdue ? "overdue" : "current"),
      collectionStatus: input.collectionStatus ?? (overdue ? "in_collection" : "none"),
      createdAt: now,
      updatedAt: now,
    });
    await refreshCustomerArrears(tx, [loan.customerId]);
    await recordAudit(tx, ctx, {
      action: "loan.created",
      entityType: "loan",
      entityId: loan.id,
      details: { loanNumber: loan.loanNumber, customerId: loan.customerId, principal: loan.principal },
    });
    return toLoanView(loan, timezone, now);
  });
}

export async function patchLoan(
  services: Services,
  id: string,
  version: number,
  input: Omit<Static<typeof LoanPatchBody>, "version">,
  ctx: RequestContext,
) {
  const { db, clock } = services;
  const now = clock.now();
  return db.transaction(async (tx) => {
    const found = await findLoan(tx, id);
    if (!found) throw new AppError("NOT_FOUND", "Loan not found");
    const changes = {
      ...input,
      ...(input.installmentAmount ? { installmentAmount: formatMoney(input.installmentAmount) } : {}),
      ...(input.outstandingBalance ? { outstandingBalance: formatMoney(input.outstandingBalance) } : {}),
      ...(input.amountOverdue ? { amountOverdue: formatMoney(input.amountOverdue) } : {}),
    };
    const updated = await updateLoanAtVersion(tx, { id, version }, changes, now, async () =>
      versionConflict(toLoanView(found.loan, found.timezone, now), await lastChange(tx, "loan", id)),
    );
    if (toCents(updated.amountOverdue) > toCents(updated.outstandingBalance)) {
      throw new AppError("VALIDATION_ERROR", "The overdue amount cannot exceed the outstanding balance", {
        details: [{ path: "/amountOverdue", message: "exceeds outstandingBalance" }],
      });
    }
    await refreshCustomerArrears(tx, [updated.customerId]);
    await recordAudit(tx, ctx, {
      action: "loan.updated",
      entityType: "loan",
      entityId: id,
      details: { changes: diff(found.loan, updated, LOAN_FIELDS) },
    });
    return toLoanView(updated, found.timezone, now);
  });
}

/**
 * Deletes a loan entered by mistake. One with payments, promises or interactions is refused: those
 * would be deleted with it (or lose their loan). The row lock makes a payment or a promise recorded
 * at the same moment wait, then fail on its foreign key, instead of vanishing in the cascade.
 */
export async function deleteLoan(services: Services, id: string, ctx: RequestContext) {
  await services.db.transaction(async (tx) => {
    const found = await findLoan(tx, id, true);
    if (!found) throw new AppError("NOT_FOUND", "Loan not found");
    const history = await countLoanHistory(tx, id);
    const parts = Object.entries(history).filter(([, n]) => n > 0);
    if (parts.length > 0) {
      throw new AppError(
        "CONFLICT",
        `The loan has ${parts.map(([what, n]) => `${n} ${what}`).join(", ")}; it cannot be deleted`,
        {
          extra: history,
        },
      );
    }
    await deleteLoanRow(tx, id);
    await refreshCustomerArrears(tx, [found.loan.customerId]);
    await recordAudit(tx, ctx, {
      action: "loan.deleted",
      entityType: "loan",
      entityId: id,
      details: {
        loanNumber: found.loan.loanNumber,
        customerId: found.loan.customerId,
        principal: found.loan.principal,
      },
    });
  });
}
