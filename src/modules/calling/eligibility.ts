import type { Config } from "../../config.js";
import { addDays } from "../../lib/calendar.js";
import { localParts, zonedTime } from "../../lib/zoned-time.js";

export const ELIGIBILITY_REASONS = [
  "DO_NOT_CALL",
  "WRONG_NUMBER",
  "DISPUTE_OPEN",
  "OUTSIDE_CALL_WINDOW",
  "NO_CALL_DAY",
  "DAILY_ATTEMPT_LIMIT",
  "WEEKLY_ATTEMPT_LIMIT",
  "RETRY_INTERVAL",
  "PROMISE_PENDING",
  "CALLBACK_SCHEDULED",
] as const;
export type EligibilityReason = (typeof ELIGIBILITY_REASONS)[number];

export interface CallRules {
  /** Call window in minutes after local midnight: [start, end). */
  windowStart: number;
  windowEnd: number;
  /** 0 = Sunday … 6 = Saturday. */
  noCallWeekdays: number[];
  maxPerDay: number;
  maxPer7Days: number;
  /** Rest after an outbound attempt, in milliseconds (0: none). */
  minGapMs: number;
}

const WEEKDAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

export function callRulesFrom(config: Config): CallRules {
  const [start, end] = config.CALL_WINDOW.split("-").map((hm) => {
    const [h, m] = hm.split(":").map(Number) as [number, number];
    return h * 60 + m;
  }) as [number, number];
  const days =
    config.NO_CALL_WEEKDAYS === "none"
      ? []
      : config.NO_CALL_WEEKDAYS.split(",").map((d) => WEEKDAY_NAMES.indexOf(d.trim()));
  return {
    windowStart: start,
    windowEnd: end,
    noCallWeekdays: days,
    maxPerDay: config.MAX_CALL_ATTEMPTS_PER_DAY,
    maxPer7Days: config.MAX_CALL_ATTEMPTS_PER_7_DAYS,
    minGapMs: config.MIN_MINUTES_BETWEEN_ATTEMPTS * 60_000,
  };
}

export interface EligibilityInput {
  now: Date;
  timezone: string;
  doNotCall: boolean;
  /** The number to dial was reported wrong (or every number of the customer was). */
  numberFlagged: boolean;
  disputeOpen: boolean;
  /** Start times of outbound call attempts, at least those of the last 7 days. */
  outboundAttempts: Date[];
  /** Due dates (YYYY-MM-DD) of pending promises. */
  pendingPromiseDueDates: string[];
  /** The callback the customer asked for, if any. */
  callbackAt: Date | null;
  rules: CallRules;
}

export interface Eligibility {
  canCall: boolean;
  reasons: EligibilityReason[];
  /** When every blocking rule clears; now when callable; null when a rule never clears on its own. */
  nextEligibleAt: string | null;
}

const WEEK_MS = 7 * 86_400_000;

function attemptsOnLocalDay(attempts: Date[], date: string, timezone: string): number {
  return attempts.filter((a) => localParts(a, timezone).date === date).length;
}

/** The instant from which the rolling 7-day count is below the limit again (≤ at). */
function weeklyClearsAt(attempts: Date[], at: Date, max: number): Date | undefined {
  const inWindow = attempts
    .filter((a) => a.getTime() > at.getTime() - WEEK_MS && a.getTime() <= at.getTime())
    .sort((a, b) => b.getTime() - a.getTime());
  if (inWindow.length < max) return undefined;
  // Once the max-th newest attempt is a week old, only max-1 remain in the window.
  return new Date(inWindow[max - 1]!.getTime() + WEEK_MS);
}

/** Pushes an instant forward to the next moment inside the call window on an allowed day. */
function nextWindowOpening(at: Date, timezone: string, rules: CallRules): Date {
  let t = at;
  for (let i = 0; i < 14; i++) {
    const local = localParts(t, timezone);
    const blockedDay = rules.noCallWeekdays.includes(local.weekday);
    if (!blockedDay && local.minutes >= rules.windowStart && local.minutes < rules.windowEnd) return t;
    const day = !blockedDay && local.minutes < rules.windowStart ? local.date : addDays(local.date, 1);
    t = zonedTime(day, rules.windowStart, timezone);
  }
  return t;
}

/**
 * Can this customer be called now, and if not, why and from when. Pure: the clock and the history are
 * inputs, so the same function serves pre-call, post-call and the worklist, and is tested with a
 * fixed clock.
 */
export function evaluateEligibility(input: EligibilityInput): Eligibility {
  const { now, timezone, rules } = input;
  const reasons: EligibilityReason[] = [];
  let never = false;
  let clears = now;
  const later = (t: Date) => {
    if (t.getTime() > clears.getTime()) clears = t;
  };

  if (input.doNotCall) reasons.push("DO_NOT_CALL");
  if (input.numberFlagged) reasons.push("WRONG_NUMBER");
  if (input.disputeOpen) reasons.push("DISPUTE_OPEN");
  if (reasons.length > 0) never = true;

  const local = localParts(now, timezone);
  if (local.minutes < rules.windowStart || local.minutes >= rules.windowEnd) reasons.push("OUTSIDE_CALL_WINDOW");
  if (rules.noCallWeekdays.includes(local.weekday)) reasons.push("NO_CALL_DAY");

  if (attemptsOnLocalDay(input.outboundAttempts, local.date, timezone) >= rules.maxPerDay) {
    reasons.push("DAILY_ATTEMPT_LIMIT");
    later(zonedTime(addDays(local.date, 1), 0, timezone));
  }
  const weekly = weeklyClearsAt(input.outboundAttempts, now, rules.maxPer7Days);
  if (weekly) {
    reasons.push("WEEKLY_ATTEMPT_LIMIT");
    later(weekly);
  }
  // An unanswered customer is not offered again minutes later (a floor of agents would otherwise
  // redial the same number back to back); a callback the customer asked for, due since that attempt,
  // overrides the rest: they asked to be called then.
  let latest = -Infinity;
  for (const a of input.outboundAttempts)
    if (a.getTime() <= now.getTime() && a.getTime() > latest) latest = a.getTime();
  const restEnds = latest + rules.minGapMs;
  const callbackDue =
    input.callbackAt !== null && input.callbackAt.getTime() <= now.getTime() && input.callbackAt.getTime() >= latest;
  if (restEnds > now.getTime() && !callbackDue) {
    reasons.push("RETRY_INTERVAL");
    later(new Date(restEnds));
  }
  const notYetDue = input.pendingPromiseDueDates.filter((d) => d > local.date).sort();
  if (notYetDue.length > 0) {
    reasons.push("PROMISE_PENDING");
    later(zonedTime(notYetDue.at(-1)!, 0, timezone));
  }
  if (input.callbackAt && input.callbackAt.getTime() > now.getTime()) {
    reasons.push("CALLBACK_SCHEDULED");
    later(input.callbackAt);
  }

  if (reasons.length === 0) return { canCall: true, reasons, nextEligibleAt: now.toISOString() };
  if (never) return { canCall: false, reasons, nextEligibleAt: null };

  // Clearing one rule can land in another (a day limit that clears on a Friday): iterate to a fixpoint.
  let t = clears;
  for (let i = 0; i < 20; i++) {
    const opened = nextWindowOpening(t, timezone, rules);
    const day = localParts(opened, timezone).date;
    if (attemptsOnLocalDay(input.outboundAttempts, day, timezone) >= rules.maxPerDay) {
      t = zonedTime(addDays(day, 1), 0, timezone);
      continue;
    }
    const weeklyAt = weeklyClearsAt(input.outboundAttempts, opened, rules.maxPer7Days);
    if (weeklyAt) {
      t = weeklyAt;
      continue;
    }
    t = opened;
    break;
  }
  return { canCall: false, reasons, nextEligibleAt: t.toISOString() };
}
