import { AppError } from "../../lib/errors.js";
import { normalizePhone } from "../../lib/phone.js";
import type { Services } from "../../services.js";
import type { CustomerRow } from "../customers/repository.js";
import { toCustomerView } from "../customers/service.js";
import { listLoans } from "../loans/repository.js";
import { summariseLoans, toLoanView } from "../loans/views.js";
import { markBrokenPromises } from "../promises/repository.js";
import { callRulesFrom, type Eligibility, evaluateEligibility } from "./eligibility.js";
import { type CallContext, findCustomerByAnyPhone, loadCallContext } from "./repository.js";

export const customerNotFound = () => new AppError("CUSTOMER_NOT_FOUND", "No customer has this phone number", { status: 404 });

export function parsePhoneOrThrow(input: string, path = "/phone"): string {
  const phone = normalizePhone(input);
  if (!phone) {
    throw new AppError("INVALID_PHONE", `Invalid phone: ${JSON.stringify(input)} is not a valid phone number`, {
      status: 400,
      details: [{ path, message: "is not a valid phone number" }],
    });
  }
  return phone.e164;
}

/**
 * The customer's eligibility for a call to `dialled` (or to any of their numbers): the one rule
 * function, fed from the call context.
 */
export function eligibilityFor(services: Services, customer: CustomerRow, context: CallContext, now: Date, dialled?: string): Eligibility {
  const numbers = dialled ? [dialled] : [customer.phone, customer.altPhone].filter((p): p is string => Boolean(p));
  return evaluateEligibility({
    now,
    timezone: customer.timezone,
    doNotCall: customer.doNotCall,
    numberFlagged: numbers.every((n) => context.flaggedPhones.includes(n)),
    disputeOpen: context.disputeOpen,
    outboundAttempts: context.outboundAttempts,
    pendingPromiseDueDates: context.pendingPromiseDueDates,
    callbackAt: context.callbackAt,
    rules: callRulesFrom(services.config),
  });
}

/** "Who is this and can we call them now?" — one response for an agent's screen or a dialer. */
export async function preCall(services: Services, phoneInput: string) {
  const { db, clock, config } = services;
  const phone = parsePhoneOrThrow(phoneInput);
  const customer = await findCustomerByAnyPhone(db, phone);
  if (!customer) throw customerNotFound();
  const now = clock.now();
  // Promises past their grace days are settled first, so nothing below reads a stale "pending".
  await markBrokenPromises(db, config.PROMISE_GRACE_DAYS, now, { customerId: customer.id });
  const [loanRows, context] = await Promise.all([listLoans(db, { customerId: customer.id, limit: 200 }), loadCallContext(db, customer.id, now)]);
  const loans = loanRows.map((r) => toLoanView(r.loan, r.timezone, now));
  const totals = summariseLoans(loans);
  return {
    customer: toCustomerView(customer, now),
    loans,
    summary: {
      totalOutstanding: totals.totalOutstanding,
      totalOverdue: totals.totalOverdue,
      maxDaysPastDue: totals.maxDaysPastDue,
      lastPayment: context.lastPayment,
      openPromises: context.openPromises,
      brokenPromisesLast90Days: context.brokenPromisesLast90Days,
    },
    recentInteractions: context.recentInteractions,
    eligibility: eligibilityFor(services, customer, context, now, phone),
  };
}
