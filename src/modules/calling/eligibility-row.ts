import { parseJsonColumn } from "../../db/client.js";
import { type CallRules, type Eligibility, evaluateEligibility } from "./eligibility.js";

/**
 * The eligibility inputs of one customer as the worklist and next-call queries return them (snake
 * case, JSON aggregates as the driver gives them). One decoder for both, so a new rule input is
 * added here once.
 */
export interface EligibilityRow {
  phone: string;
  alt_phone: string | null;
  timezone: string;
  do_not_call: boolean;
  pending_due: unknown;
  dispute_open: boolean;
  flagged: unknown;
  attempts: unknown;
  callback_at: string | Date | null;
}

/** The number to dial: the first one not reported wrong. */
export function dialNumber(r: Pick<EligibilityRow, "phone" | "alt_phone" | "flagged">): string | null {
  const flagged = parseJsonColumn<string[]>(r.flagged);
  return [r.phone, r.alt_phone].find((p): p is string => Boolean(p) && !flagged.includes(p as string)) ?? null;
}

/** The one rule function (eligibility.ts), fed from a row. */
export function rowEligibility(r: EligibilityRow, now: Date, rules: CallRules): Eligibility {
  const flagged = parseJsonColumn<string[]>(r.flagged);
  return evaluateEligibility({
    now,
    timezone: r.timezone,
    doNotCall: r.do_not_call,
    numberFlagged: [r.phone, r.alt_phone].filter(Boolean).every((p) => flagged.includes(p as string)),
    disputeOpen: r.dispute_open,
    outboundAttempts: parseJsonColumn<string[]>(r.attempts).map((a) => new Date(a)),
    pendingPromiseDueDates: parseJsonColumn<string[]>(r.pending_due).map((d) => String(d).slice(0, 10)),
    callbackAt: r.callback_at ? new Date(r.callback_at) : null,
    rules,
  });
}
