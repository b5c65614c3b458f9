import { describe, expect, it } from "vitest";
import { loginHistory } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createStaff, login } from "../../../test/support/accounts.js";
import { createCustomer, createLoan, customerPhone, daysAgo, useCrmTestApp } from "../../../test/support/crm.js";

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
