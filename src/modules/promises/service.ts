import { AppError } from "../../lib/errors.js";
import type { Database } from "../../db/client.js";
import { withJobLock } from "../../db/locks.js";
import type { Services } from "../../services.js";
import { findLoan } from "../loans/repository.js";
import { listLoanPromises, markBrokenPromises, type PromiseRow } from "./repository.js";
import { LOCK_KEYS } from "../../db/lock-keys.js";

export const toPromiseView = (p: PromiseRow) => ({
  id: p.id,
  loanId: p.loanId,
  customerId: p.customerId,
  interactionId: p.interactionId,
  amount: p.amount,
  dueDate: p.dueDate,
  status: p.status,
  createdBy: p.createdBy,
  createdAt: p.createdAt.toISOString(),
  resolvedAt: p.resolvedAt?.toISOString() ?? null,
});

export async function listPromiseViews(services: Services, loanId: string) {
  const { db, clock, config } = services;
  if (!(await findLoan(db, loanId))) throw new AppError("NOT_FOUND", "Loan not found");
  // Evaluated on read too, so a promise past its grace days shows as broken before the job runs.
  await markBrokenPromises(db, config.PROMISE_GRACE_DAYS, clock.now(), { loanId });
  return { data: (await listLoanPromises(db, loanId)).map(toPromiseView) };
}

const PROMISE_JOB_LOCK = LOCK_KEYS.promiseEvaluation;

/**
 * The periodic evaluation. With several instances on one database, a try-lock lets exactly one run
 * it; the others skip this round.
 */
export async function runPromiseEvaluation(services: Services, database: Pick<Database, "withConnection" | "engine">) {
  const broken = await withJobLock(database, PROMISE_JOB_LOCK, (db) =>
    markBrokenPromises(db, services.config.PROMISE_GRACE_DAYS, services.clock.now()),
  );
  return broken === undefined ? { ran: false, broken: 0 } : { ran: true, broken };
}
