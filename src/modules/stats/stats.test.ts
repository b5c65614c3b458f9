import { describe, expect, it } from "vitest";
import { loginHistory } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createStaff, login } from "../../../test/support/accounts.js";
import {
  createCustomer,
  createLoan,
  customerPhone,
  daysAgo,
  staffSessions,
  useCrmTestApp,
} from "../../../test/support/crm.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const ctx = useCrmTestApp(clock);

const get = async (url: string, headers = ctx.as.supervisor.headers) => {
  const res = await ctx.app.inject({ method: "GET", url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe("statistics", () => {
  it("users: active, locked and active sessions", async () => {
    const locked = await createStaff(ctx.app);
    for (let i = 0; i < 5; i++) await login(ctx.app, locked.email, `Wrong-${i}-Password!`);
    const stats = await get("/api/admin/stats/users");
    // 3 staff sessions from staffSessions; 4 users, one of them locked.
    expect(stats).toEqual({ totalActiveUsers: 3, totalLockedUsers: 1, activeSessions: 3 });
    expect(
      (await ctx.app.inject({ method: "GET", url: "/api/admin/stats/users", headers: ctx.as.agent.headers }))
        .statusCode,
    ).toBe(403);
  });

  it("logins per day and per hour in the centre's timezone", async () => {
    const user = await createStaff(ctx.app);
    const row = (at: string, success: boolean) => ({
      userId: user.user.id,
      identifier: user.email,
      success,
      ip: "10.0.0.1",
      createdAt: new Date(at),
    });
    await ctx.app.database.db
      .insert(loginHistory)
      .values([
        row("2026-06-10T08:30:00Z", true),
        row("2026-06-10T08:45:00Z", false),
        row("2026-06-10T23:30:00Z", true),
        row("2026-06-12T10:00:00Z", false),
      ]);
    const byDay = await get("/api/admin/stats/logins?from=2026-06-10T00:00:00Z&to=2026-06-13T00:00:00Z&interval=day");
    // 23:30 UTC on the 10th is already the 11th in Algiers.
    expect(byDay.data).toEqual([
      { periodStart: "2026-06-10T00:00:00", successes: 1, failures: 1 },
      { periodStart: "2026-06-11T00:00:00", successes: 1, failures: 0 },
      { periodStart: "2026-06-12T00:00:00", successes: 0, failures: 1 },
    ]);
    const byHour = await get("/api/admin/stats/logins?from=2026-06-10T08:00:00Z&to=2026-06-10T10:00:00Z&interval=hour");
    expect(byHour.data).toEqual([{ periodStart: "2026-06-10T09:00:00", successes: 1, failures: 1 }]);
    const tooLong = await ctx.app.inject({
      method: "GET",
      url: "/api/admin/stats/logins?from=2025-01-01T00:00:00Z&to=2026-06-10T00:00:00Z&interval=hour",
      headers: ctx.as.supervisor.headers,
    });
    expect(tooLong.statusCode).toBe(400);
  });

  it("most active users", async () => {
    const data = (await get("/api/admin/stats/most-active-users?days=7&limit=3")).data;
    expect(data.length).toBeGreaterThan(0);
    expect(data[0]).toMatchObject({ logins: expect.any(Number), interactions: expect.any(Number) });
  });

  it("collections: calls, contacts, right-party contacts, promises and money, per disposition and agent", async () => {
    const phone = customerPhone();
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers, { phone });
    const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
      amountOverdue: "11000.00",
      nextDueDate: daysAgo(clock.now(), 30),
    });
    const call = (disposition: string, extra: Record<string, unknown> = {}) =>
      ctx.app.inject({
        method: "POST",
        url: "/api/crm/post-call",
        headers: ctx.as.agent.headers,
        payload: {
          callId: `ST-${disposition}-${Math.random()}`,
          phone,
          direction: "outbound",
          startedAt: clock.now().toISOString(),
          durationSeconds: 10,
          disposition,
          ...extra,
        },
      });
    await call("no_answer");
    await call("wrong_number");
    await call("promise_to_pay", { promiseAmount: "4000", promiseDate: "2026-06-20" });
    await ctx.app.inject({
      method: "POST",
      url: `/api/loans/${loan.id}/payments`,
      headers: ctx.as.supervisor.headers,
      payload: { amount: "4000", paidAt: clock.now().toISOString(), method: "cash", reference: "ST-1" },
    });
    const stats = await get("/api/admin/stats/collections?from=2026-06-15T00:00:00Z&to=2026-06-16T00:00:00Z");
    expect(stats.totals).toMatchObject({
      calls: 3,
      contacts: 2,
      rightPartyContacts: 1,
      promisesMade: 1,
      promisesMadeAmount: "4000.00",
      promisesKept: 1,
      promisesKeptAmount: "4000.00",
      amountCollected: "4000.00",
      payments: 1,
    });
    expect(stats.byDisposition).toEqual(
      expect.arrayContaining([{ disposition: "wrong_number", calls: 1, contacts: 1, rightPartyContacts: 0 }]),
    );
    expect(stats.byAgent[0]).toMatchObject({
      agentId: ctx.as.agent.userId,
      agentName: ctx.as.agent.name,
      calls: 3,
      promisesMade: 1,
    });
  });
});

describe("collections: money per agent and per day, arrears by bucket", () => {
  const assign = async (customerIds: string[], agentId: string) => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/admin/assignments",
      headers: ctx.as.supervisor.headers,
      payload: { customerIds, to: { agentId } },
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const pay = async (loanId: string, amount: string, reference: string) => {
    const res = await ctx.app.inject({
      method: "POST",
      url: `/api/loans/${loanId}/payments`,
      headers: ctx.as.supervisor.headers,
      payload: { amount, paidAt: clock.now().toISOString(), method: "cash", reference },
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  const overdueCustomer = async () => {
    const phone = customerPhone();
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers, { phone });
    const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
      amountOverdue: "11000.00",
      nextDueDate: daysAgo(clock.now(), 40),
    });
    return { ...c, phone, loanId: loan.id };
  };

  it("credits a payment to the kept promise's creator, else the assigned agent, else nobody; byDay adds up", async () => {
    clock.set(new Date("2026-06-17T09:00:00Z"));
    // Access tokens live a day: sign in again on the clock's new day.
    Object.assign(ctx.as, await staffSessions(ctx.app));
    const other = await createStaff(ctx.app, { role: "agent", phone: null, name: "Other Agent" });
    const [kept, assigned, nobody] = [await overdueCustomer(), await overdueCustomer(), await overdueCustomer()];
    await assign([kept.id, assigned.id], other.user.id);
    // The signed-in agent makes the promise on a customer assigned to someone else.
    const call = await ctx.app.inject({
      method: "POST",
      url: "/api/crm/post-call",
      headers: ctx.as.agent.headers,
      payload: {
        callId: `ST-KEPT-${Math.random()}`,
        phone: kept.phone,
        direction: "outbound",
        startedAt: clock.now().toISOString(),
        durationSeconds: 30,
        disposition: "promise_to_pay",
        promiseAmount: "3000",
        promiseDate: "2026-06-20",
      },
    });
    expect(call.statusCode, call.body).toBe(201);
    clock.advance(3_600_000);
    await pay(kept.loanId, "3000", "ATTR-1"); // keeps the promise: the promise's creator
    await pay(assigned.loanId, "500", "ATTR-2"); // no promise: the assigned agent
    await pay(nobody.loanId, "250", "ATTR-3"); // neither: nobody
    clock.set(new Date("2026-06-18T08:00:00Z"));
    await pay(kept.loanId, "1000", "ATTR-4"); // after the promise was kept: the assigned agent

    // Days in Algiers (UTC+1): the 17th and the 18th.
    const stats = await get("/api/admin/stats/collections?from=2026-06-16T23:00:00Z&to=2026-06-18T23:00:00Z");
    const row = (agentId: string | null) =>
      stats.byAgent.find((a: { agentId: string | null }) => a.agentId === agentId);
    expect(row(ctx.as.agent.userId)).toMatchObject({
      calls: 1,
      promisesMade: 1,
      promisesKept: 1,
      amountCollected: "3000.00",
      payments: 1,
    });
    expect(row(other.user.id)).toMatchObject({
      agentName: "Other Agent",
      calls: 0,
      amountCollected: "1500.00",
      payments: 2,
    });
    expect(row(null)).toMatchObject({ agentName: null, amountCollected: "250.00", payments: 1 });
    expect(stats.totals).toMatchObject({ amountCollected: "4750.00", payments: 4, calls: 1, promisesKept: 1 });
    expect(stats.timezone).toBe("Africa/Algiers");

    expect(stats.byDay.map((d: { day: string }) => d.day)).toEqual(["2026-06-17", "2026-06-18"]);
    expect(stats.byDay[0]).toMatchObject({ amountCollected: "3750.00", payments: 3, calls: 1, promisesMade: 1 });
    expect(stats.byDay[1]).toMatchObject({ amountCollected: "1000.00", payments: 1, calls: 0 });
    // Every figure of the days (and of the agents) adds up to the totals.
    for (const rows of [stats.byDay, stats.byAgent]) {
      for (const [field, total] of Object.entries(stats.totals)) {
        const sum = rows.reduce((s: number, r: Record<string, unknown>) => s + Number(r[field]), 0);
        expect(sum.toFixed(2), field).toBe(Number(total).toFixed(2));
      }
    }
  });

  it("byDay lists days without activity; a period over 366 days is refused", async () => {
    const quiet = await get("/api/admin/stats/collections?from=2026-05-31T23:00:00Z&to=2026-06-03T23:00:00Z");
    expect(quiet.byDay.map((d: { day: string }) => d.day)).toEqual(["2026-06-01", "2026-06-02", "2026-06-03"]);
    expect(quiet.byDay[0]).toMatchObject({ calls: 0, amountCollected: "0.00", promisesMadeAmount: "0.00" });
    const tooLong = await ctx.app.inject({
      method: "GET",
      url: "/api/admin/stats/collections?from=2025-06-01T00:00:00Z&to=2026-06-10T00:00:00Z",
      headers: ctx.as.supervisor.headers,
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error).toMatchObject({ code: "VALIDATION_ERROR", details: [{ path: "/from" }] });
  });

  it("arrears: every bucket, the same customers and overdue as the assignments' bucket filter", async () => {
    const before = await get("/api/admin/stats/arrears");
    await overdueCustomer(); // 40 days past due
    const after = await get("/api/admin/stats/arrears");
    expect(after.asOf).toBe(clock.now().toISOString());
    expect(after.buckets.map((b: { bucket: string }) => b.bucket)).toEqual([
      "current",
      "1-30",
      "31-60",
      "61-90",
      "90+",
    ]);
    const b3160 = (s: typeof after) => s.buckets.find((b: { bucket: string }) => b.bucket === "31-60");
    expect(b3160(after).customers - b3160(before).customers).toBe(1);
    expect(b3160(after).loans - b3160(before).loans).toBe(1);
    expect(Number(b3160(after).totalOverdue) - Number(b3160(before).totalOverdue)).toBe(11000);
    for (const b of after.buckets) {
      const dry = await ctx.app.inject({
        method: "POST",
        url: "/api/admin/assignments?dryRun=true",
        headers: ctx.as.supervisor.headers,
        payload: { filter: { bucket: b.bucket }, unassign: true },
      });
      const overdue = dry
        .json()
        .owners.reduce((s: number, o: { totalOverdue: string }) => s + Number(o.totalOverdue), 0);
      expect({ bucket: b.bucket, customers: dry.json().matched, overdue }).toEqual({
        bucket: b.bucket,
        customers: b.customers,
        overdue: Number(b.totalOverdue),
      });
    }
    const refused = await ctx.app.inject({
      method: "GET",
      url: "/api/admin/stats/arrears",
      headers: ctx.as.agent.headers,
    });
    expect(refused.statusCode).toBe(403);
  });
});
