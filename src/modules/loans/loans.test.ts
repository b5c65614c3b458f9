import { describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { createCustomer, createLoan, daysAgo, useCrmTestApp } from "../../../test/support/crm.js";
import { bucketOf, daysPastDue, todayIn } from "./arrears.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const ctx = useCrmTestApp(clock);

describe("loans", () => {
  it("creates with money as decimal strings and derived status; rejects bad input", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
      principal: "100000",
      installmentAmount: "4500.5",
      amountOverdue: "9001",
      nextDueDate: daysAgo(clock.now(), 3),
    });
    expect(loan).toMatchObject({
      principal: "100000.00",
      installmentAmount: "4500.50",
      amountOverdue: "9001.00",
      missedInstallments: 2,
      paymentStatus: "overdue",
      collectionStatus: "in_collection",
      daysPastDue: 3,
      bucket: "1-30",
      currency: "DZD",
      version: 1,
    });
    const bad = async (payload: Record<string, unknown>) =>
      ctx.app.inject({
        method: "POST",
        url: "/api/loans",
        headers: ctx.as.supervisor.headers,
        payload: {
          customerId: c.id,
          loanNumber: "X-1",
          productName: "P",
          principal: "10",
          termMonths: 1,
          installmentAmount: "10",
          ...payload,
        },
      });
    expect((await bad({ principal: "1000.555" })).statusCode).toBe(400);
    expect((await bad({ amountOverdue: "20" })).json().error.details[0].path).toBe("/amountOverdue");
    expect((await bad({ customerId: "00000000-0000-4000-8000-000000000000" })).json().error.details[0].path).toBe(
      "/customerId",
    );
    expect((await bad({ paymentStatus: "late" })).statusCode).toBe(400);
    const dup = await bad({ loanNumber: loan.loanNumber });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details).toEqual([{ path: "/loanNumber", message: "already exists" }]);
    expect(
      (await ctx.app.inject({ method: "POST", url: "/api/loans", headers: ctx.as.agent.headers, payload: {} }))
        .statusCode,
    ).toBe(403);
  });

  it("PATCH with version; stale → 409 with the current loan; changes recalculate the customer's arrears", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id);
    const patch = (payload: Record<string, unknown>) =>
      ctx.app.inject({ method: "PATCH", url: `/api/loans/${loan.id}`, headers: ctx.as.supervisor.headers, payload });
    const ok = await patch({
      amountOverdue: "5500.00",
      nextDueDate: daysAgo(clock.now(), 95),
      collectionStatus: "legal",
      version: 1,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, bucket: "90+", daysPastDue: 95, collectionStatus: "legal" });
    const stale = await patch({ productName: "Other", version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({
      code: "VERSION_CONFLICT",
      current: { version: 2, collectionStatus: "legal" },
      changedBy: { id: ctx.as.supervisor.userId, name: ctx.as.supervisor.name },
    });
    const customer = (
      await ctx.app.inject({ method: "GET", url: `/api/customers/${c.id}`, headers: ctx.as.agent.headers })
    ).json();
    expect(customer).toMatchObject({ daysPastDue: 95, bucket: "90+", totalOverdue: "5500.00" });
  });

  it("lists loans with filters and per customer", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, { collectionStatus: "payment_plan" });
    await createLoan(ctx.app, ctx.as.supervisor.headers, c.id);
    const mine = await ctx.app.inject({
      method: "GET",
      url: `/api/customers/${c.id}/loans`,
      headers: ctx.as.agent.headers,
    });
    expect(mine.json().data).toHaveLength(2);
    const plan = await ctx.app.inject({
      method: "GET",
      url: `/api/loans?customerId=${c.id}&collectionStatus=payment_plan`,
      headers: ctx.as.agent.headers,
    });
    expect(plan.json().data).toHaveLength(1);
    const page = await ctx.app.inject({ method: "GET", url: "/api/loans?limit=1", headers: ctx.as.agent.headers });
    expect(page.json().page.nextCursor).toEqual(expect.any(String));
    expect(
      (
        await ctx.app.inject({
          method: "GET",
          url: "/api/customers/00000000-0000-4000-8000-000000000000/loans",
          headers: ctx.as.agent.headers,
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe("arrears rules", () => {
  it("counts days past due on the customer's local date", () => {
    const loan = { nextDueDate: "2026-06-14", outstandingBalance: "100.00", paymentStatus: "overdue" };
    // 23:30 UTC on the 14th is already the 15th in Algiers (UTC+1).
    const late = new Date("2026-06-14T23:30:00Z");
    expect(todayIn("Africa/Algiers", late)).toBe("2026-06-15");
    expect(daysPastDue(loan, todayIn("Africa/Algiers", late))).toBe(1);
    expect(daysPastDue(loan, todayIn("UTC", late))).toBe(0);
    expect(daysPastDue({ ...loan, paymentStatus: "paid_off" }, "2026-09-01")).toBe(0);
  });
  it("buckets", () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91, 400].map(bucketOf)).toEqual([
      "current",
      "1-30",
      "1-30",
      "31-60",
      "31-60",
      "61-90",
      "61-90",
      "90+",
      "90+",
    ]);
  });
});

describe("DELETE /api/loans/:id", () => {
  const del = (id: string, headers = ctx.as.admin.headers) =>
    ctx.app.inject({ method: "DELETE", url: `/api/loans/${id}`, headers });

  it("an admin deletes a loan without history; the customer's arrears follow; audited", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
      amountOverdue: "5500.00",
      nextDueDate: daysAgo(clock.now(), 10),
    });
    expect((await del(loan.id, ctx.as.supervisor.headers)).statusCode).toBe(403);
    const res = await del(loan.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "Loan deleted" });
    expect(
      (await ctx.app.inject({ method: "GET", url: `/api/loans/${loan.id}`, headers: ctx.as.agent.headers })).statusCode,
    ).toBe(404);
    const customer = await ctx.app.inject({
      method: "GET",
      url: `/api/customers/${c.id}`,
      headers: ctx.as.agent.headers,
    });
    expect(customer.json().loans).toEqual([]);
    expect((await del(loan.id)).statusCode).toBe(404);
    const audit = await ctx.app.inject({
      method: "GET",
      url: "/api/admin/audit-logs?action=loan.deleted",
      headers: ctx.as.admin.headers,
    });
    expect(audit.json().data.some((e: { entityId: string }) => e.entityId === loan.id)).toBe(true);
  });

  it("409 while it has payments, promises or interactions", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const paid = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id);
    const pay = await ctx.app.inject({
      method: "POST",
      url: `/api/loans/${paid.id}/payments`,
      headers: ctx.as.supervisor.headers,
      payload: { amount: "100.00", paidAt: clock.now().toISOString(), method: "cash", reference: `R-${paid.id}` },
    });
    expect(pay.statusCode).toBe(201);
    const withPayment = await del(paid.id);
    expect(withPayment.statusCode).toBe(409);
    expect(withPayment.json().error).toMatchObject({ code: "CONFLICT", payments: 1, promises: 0, interactions: 0 });

    const noted = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id);
    await ctx.app.inject({
      method: "POST",
      url: "/api/interactions",
      headers: ctx.as.agent.headers,
      payload: { customerId: c.id, loanId: noted.id, channel: "note", notes: "x" },
    });
    expect((await del(noted.id)).json().error).toMatchObject({ code: "CONFLICT", interactions: 1 });

    const promised = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
      amountOverdue: "5500.00",
      nextDueDate: daysAgo(clock.now(), 10),
    });
    const call = await ctx.app.inject({
      method: "POST",
      url: "/api/crm/post-call",
      headers: ctx.as.agent.headers,
      payload: {
        callId: `P-${promised.id}`,
        customerId: c.id,
        loanId: promised.id,
        direction: "outbound",
        startedAt: clock.now().toISOString(),
        durationSeconds: 30,
        disposition: "promise_to_pay",
        promiseAmount: "1000.00",
        promiseDate: daysAgo(clock.now(), -5),
      },
    });
    expect(call.statusCode).toBe(201);
    expect((await del(promised.id)).json().error).toMatchObject({ code: "CONFLICT", promises: 1, interactions: 1 });
  });
});
