import type { QueryNamed } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import { requirePhone } from "../../lib/phone.js";
import type { Services } from "../../services.js";
import { toCustomerView } from "../customers/service.js";
import { summariseLoans, toLoanView } from "../loans/views.js";
import { markBrokenPromises } from "../promises/repository.js";
import { callRulesFrom } from "./eligibility.js";
import { phoneStates, rowEligibility } from "./eligibility-row.js";
import { type CustomerTarget, loadPreCall } from "./repository.js";

export const customerNotFound = () => new AppError("CUSTOMER_NOT_FOUND");

/** Who asks: a claim they hold themselves is not reported as someone else's. */
export interface Viewer {
  userId: string | null;
  apiKeyId: string | null;
}

/** "Who is this and can we call them now?" — one response for an agent's screen or a dialer. */
/** `read` runs the first look-up (the replica, when the route may use it); settling goes to the primary. */
export async function preCall(services: Services, phoneInput: string, viewer?: Viewer, read?: QueryNamed) {
  const phone = requirePhone(phoneInput).e164;
  return preCallFor(services, { phone }, viewer, phone, read);
}

/** The pre-call answer for a number, or for a customer by id (next-call), with who holds them now. */
export async function preCallFor(
  services: Services,
  target: CustomerTarget,
  viewer?: Viewer,
  dialled?: string,
  read: QueryNamed = services.queryNamed,
) {
  const { db, clock, config } = services;
  const now = clock.now();
  let found = await loadPreCall(read, target, now, config.PROMISE_GRACE_DAYS);
  if (!found) throw customerNotFound();
  if (found.lapsedPromise) {
    // A promise past its grace days is settled before anything is shown, so no read is stale; this
    // write happens once per lapsed promise, not on every call.
    await markBrokenPromises(db, config.PROMISE_GRACE_DAYS, now, { customerId: found.customer.id });
    found = (await loadPreCall(services.queryNamed, target, now, config.PROMISE_GRACE_DAYS))!;
  }
  const claim = found.liveClaim;
  const mine =
    claim &&
    ((viewer?.userId && claim.userId === viewer.userId) || (viewer?.apiKeyId && claim.apiKeyId === viewer.apiKeyId));
  const { customer, summary } = found;
  const loans = found.loans.map((loan) => toLoanView(loan, customer.timezone, now));
  const totals = summariseLoans(loans);
  return {
    customer: toCustomerView(customer, now),
    phones: phoneStates(found.eligibility),
    loans,
    summary: {
      totalOutstanding: totals.totalOutstanding,
      totalOverdue: totals.totalOverdue,
      maxDaysPastDue: totals.maxDaysPastDue,
      lastPayment: summary.lastPayment,
      openPromises: summary.openPromises,
      brokenPromisesLast90Days: summary.brokenPromisesLast90Days,
    },
    recentInteractions: summary.recentInteractions,
    eligibility: rowEligibility(found.eligibility, now, callRulesFrom(config), dialled),
    // Inbound calls happen: the answer is the same, and says who is working this customer now.
    claimedBy: claim && !mine ? { name: claim.name, until: new Date(claim.until).toISOString() } : null,
  };
}
