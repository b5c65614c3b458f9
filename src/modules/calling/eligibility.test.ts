import { describe, expect, it } from "vitest";
import { type EligibilityInput, evaluateEligibility } from "./eligibility.js";

// Algiers is UTC+1 all year. 2026-06-15 is a Monday; 2026-06-19 a Friday.
const at = (local: string) => new Date(`${local}+01:00`);
const rules = {
  windowStart: 8 * 60,
  windowEnd: 20 * 60,
  noCallWeekdays: [5],
  maxPerDay: 3,
  maxPer7Days: 7,
  minGapMs: 0,
};
const base = (now: string, extra: Partial<EligibilityInput> = {}): EligibilityInput => ({
  now: at(now),
  timezone: "Africa/Algiers",
  doNotCall: false,
  numberFlagged: false,
  disputeOpen: false,
  outboundAttempts: [],
  pendingPromiseDueDates: [],
  callbackAt: null,
  rules,
  ...extra,
});
const check = (now: string, extra: Partial<EligibilityInput> = {}) => evaluateEligibility(base(now, extra));

describe("call eligibility", () => {
  it("a customer with nothing against them can be called now", () => {
    expect(check("2026-06-15T10:00:00")).toEqual({
      canCall: true,
      reasons: [],
      nextEligibleAt: at("2026-06-15T10:00:00").toISOString(),
    });
  });

  it("outside the call window: before it opens, after it closes, on the boundary", () => {
    expect(check("2026-06-15T07:30:00")).toEqual({
      canCall: false,
      reasons: ["OUTSIDE_CALL_WINDOW"],
      nextEligibleAt: at("2026-06-15T08:00:00").toISOString(),
    });
    expect(check("2026-06-15T20:00:00").nextEligibleAt).toBe(at("2026-06-16T08:00:00").toISOString());
    expect(check("2026-06-15T19:59:00").canCall).toBe(true);
    expect(check("2026-06-15T08:00:00").canCall).toBe(true);
  });

  it("uses the customer's timezone", () => {
    // 07:30 UTC is 08:30 in Algiers but 07:30 in London (summer: 08:30 BST).
    const now = new Date("2026-06-15T06:30:00Z");
    expect(evaluateEligibility({ ...base("2026-06-15T07:30:00"), now, timezone: "Africa/Algiers" }).canCall).toBe(
      false,
    );
    expect(evaluateEligibility({ ...base("2026-06-15T07:30:00"), now, timezone: "Asia/Dubai" }).canCall).toBe(true);
  });

  it("no calls on a no-call weekday; Thursday evening waits until Saturday", () => {
    expect(check("2026-06-19T10:00:00")).toEqual({
      canCall: false,
      reasons: ["NO_CALL_DAY"],
      nextEligibleAt: at("2026-06-20T08:00:00").toISOString(),
    });
    expect(check("2026-06-18T21:00:00").nextEligibleAt).toBe(at("2026-06-20T08:00:00").toISOString());
  });

  it("rests a customer for the retry interval after an attempt, unless a callback they asked for is due", () => {
    const gap = { ...rules, minGapMs: 60 * 60_000 };
    const attempt = [at("2026-06-15T10:00:00")];
    expect(check("2026-06-15T10:20:00", { outboundAttempts: attempt, rules: gap })).toEqual({
      canCall: false,
      reasons: ["RETRY_INTERVAL"],
      nextEligibleAt: at("2026-06-15T11:00:00").toISOString(),
    });
    expect(check("2026-06-15T11:00:00", { outboundAttempts: attempt, rules: gap }).canCall).toBe(true);
    // The rest that runs past the window's close waits for the next opening.
    expect(
      check("2026-06-15T19:30:00", { outboundAttempts: [at("2026-06-15T19:20:00")], rules: gap }).nextEligibleAt,
    ).toBe(at("2026-06-16T08:00:00").toISOString());
    // "Call me back in ten minutes": the callback, due after the attempt, overrides the rest.
    expect(
      check("2026-06-15T10:12:00", { outboundAttempts: attempt, rules: gap, callbackAt: at("2026-06-15T10:10:00") }),
    ).toMatchObject({ canCall: true, reasons: [] });
    // A callback due before the last attempt was already honoured by it.
    expect(
      check("2026-06-15T10:12:00", { outboundAttempts: attempt, rules: gap, callbackAt: at("2026-06-15T09:50:00") })
        .reasons,
    ).toEqual(["RETRY_INTERVAL"]);
    // No rest configured: callable at once.
    expect(check("2026-06-15T10:01:00", { outboundAttempts: attempt }).canCall).toBe(true);
  });

  it("the daily attempt limit clears at the next allowed window", () => {
    const outboundAttempts = [at("2026-06-15T09:00:00"), at("2026-06-15T10:00:00"), at("2026-06-15T11:00:00")];
    expect(check("2026-06-15T12:00:00", { outboundAttempts })).toEqual({
      canCall: false,
      reasons: ["DAILY_ATTEMPT_LIMIT"],
      nextEligibleAt: at("2026-06-16T08:00:00").toISOString(),
    });
    // Reached on a Thursday: Friday is a no-call day.
    const thursday = [at("2026-06-18T09:00:00"), at("2026-06-18T10:00:00"), at("2026-06-18T11:00:00")];
    expect(check("2026-06-18T12:00:00", { outboundAttempts: thursday }).nextEligibleAt).toBe(
      at("2026-06-20T08:00:00").toISOString(),
    );
    expect(check("2026-06-15T12:00:00", { outboundAttempts: outboundAttempts.slice(0, 2) }).canCall).toBe(true);
  });

  it("the rolling 7-day limit clears when the oldest counted attempt is a week old", () => {
    // 7 attempts: two a day on Tue 9, Wed 10, Thu 11 June, one on Sat 13 June.
    const outboundAttempts = [
      at("2026-06-09T10:00:00"),
      at("2026-06-09T15:00:00"),
      at("2026-06-10T10:00:00"),
      at("2026-06-10T15:00:00"),
      at("2026-06-11T10:00:00"),
      at("2026-06-11T15:00:00"),
      at("2026-06-13T10:00:00"),
    ];
    expect(check("2026-06-15T12:00:00", { outboundAttempts })).toEqual({
      canCall: false,
      reasons: ["WEEKLY_ATTEMPT_LIMIT"],
      nextEligibleAt: at("2026-06-16T10:00:00").toISOString(),
    });
    expect(check("2026-06-16T10:00:00", { outboundAttempts }).canCall).toBe(true);
  });

  it("a pending promise not yet due blocks until its due date; a due one does not", () => {
    expect(check("2026-06-15T10:00:00", { pendingPromiseDueDates: ["2026-06-17"] })).toEqual({
      canCall: false,
      reasons: ["PROMISE_PENDING"],
      nextEligibleAt: at("2026-06-17T08:00:00").toISOString(),
    });
    expect(check("2026-06-17T10:00:00", { pendingPromiseDueDates: ["2026-06-17"] }).canCall).toBe(true);
    // Due on a Friday: callable from Saturday's window.
    expect(check("2026-06-15T10:00:00", { pendingPromiseDueDates: ["2026-06-19"] }).nextEligibleAt).toBe(
      at("2026-06-20T08:00:00").toISOString(),
    );
  });

  it("a callback scheduled later blocks until then (inside the window)", () => {
    expect(check("2026-06-15T10:00:00", { callbackAt: at("2026-06-15T15:30:00") })).toEqual({
      canCall: false,
      reasons: ["CALLBACK_SCHEDULED"],
      nextEligibleAt: at("2026-06-15T15:30:00").toISOString(),
    });
    expect(check("2026-06-15T10:00:00", { callbackAt: at("2026-06-15T21:00:00") }).nextEligibleAt).toBe(
      at("2026-06-16T08:00:00").toISOString(),
    );
    expect(check("2026-06-15T16:00:00", { callbackAt: at("2026-06-15T15:30:00") }).canCall).toBe(true);
  });

  it("do-not-call, a wrong number and an open dispute never clear on their own", () => {
    for (const extra of [{ doNotCall: true }, { numberFlagged: true }, { disputeOpen: true }]) {
      const result = check("2026-06-15T10:00:00", extra);
      expect(result.canCall).toBe(false);
      expect(result.nextEligibleAt).toBeNull();
    }
    expect(check("2026-06-15T10:00:00", { doNotCall: true, disputeOpen: true }).reasons).toEqual([
      "DO_NOT_CALL",
      "DISPUTE_OPEN",
    ]);
  });

  it("lists every blocking rule and waits for the last to clear", () => {
    const result = check("2026-06-15T21:00:00", {
      callbackAt: at("2026-06-16T11:00:00"),
      pendingPromiseDueDates: ["2026-06-16"],
    });
    expect(result.reasons).toEqual(["OUTSIDE_CALL_WINDOW", "PROMISE_PENDING", "CALLBACK_SCHEDULED"]);
    expect(result.nextEligibleAt).toBe(at("2026-06-16T11:00:00").toISOString());
  });
});
