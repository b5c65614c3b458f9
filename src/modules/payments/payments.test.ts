import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLogs, payments } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createCustomer, createLoan, daysAgo, useCrmTestApp } from "../../../test/support/crm.js";
import { addMonths } from "../../lib/calendar.js";
import { applyPayment } from "./apply.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const ctx = useCrmTestApp(clock);

/** A loan two installments (11,000) behind, due 40 days ago. */
async function overdueLoan() {
  const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
  const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
    outstandingBalance: "60000.00",
    amountOverdue: "11000.00",
    installmentAmount: "5500.00",
    nextDueDate: daysAgo(clock.now(), 40),
  });
  return { customerId: c.id, loanId: loan.id, dueDate: daysAgo(clock.now(), 40) };
}

const pay = (loanId: string, payload: Record<string, unknown>, headers = ctx.as.supervisor.headers) =>
  ctx.app.inject({
    method: "POST",
    url: `/api/loans/${loanId}/payments`,
    headers,
    payload: { paidAt: clock.now().toISOString(), method: "ccp", ...payload },
  });

describe("POST /api/loans/:id/payments", () => {
  it("records the payment and updates balance, arrears, installments, due date and status together", async () => {
    const { loanId, customerId, dueDate } = await overdueLoan();
    const res = await pay(loanId, { amount: "5500", reference: "CCP-0001" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      amount: "5500.00",
      method: "ccp",
      reference: "CCP-0001",
      recordedBy: ctx.as.supervisor.userId,
      loan: {
        outstandingBalance: "54500.00",
        amountOverdue: "5500.00",
        missedInstallments: 1,
        nextDueDate: addMonths(dueDate, 1),
        paymentStatus: "overdue",
      },
    });
    const second = await pay(loanId, { amount: "5500.00", reference: "CCP-0002" });
    expect(second.json().loan).toMatchObject({
      amountOverdue: "0.00",
      missedInstallments: 0,
      paymentStatus: "current",
      collectionStatus: "none",
      daysPastDue: 0,
    });
    const customer = (
      await ctx.app.inject({ method: "GET", url: `/api/customers/${customerId}`, headers: ctx.as.agent.headers })
    ).json();
    expect(customer).toMatchObject({ totalOverdue: "0.00" });
    const audits = await ctx.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "payment.recorded"), eq(auditLogs.entityId, loanId)));
    expect(audits).toHaveLength(2);
  });

  it("a repeated reference returns the original payment with 200 and changes nothing", async () => {
    const { loanId } = await overdueLoan();
    const first = await pay(loanId, { amount: "3000.00", reference: "BANK-77" });
    expect(first.statusCode).toBe(201);
    const retry = await pay(loanId, { amount: "3000.00", reference: "BANK-77" });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(first.json().id);
    expect(retry.json().loan.outstandingBalance).toBe("57000.00");
    const rows = await ctx.app.database.db.select().from(payments).where(eq(payments.loanId, loanId));
    expect(rows).toHaveLength(1);
  });

  it("concurrent retries of one payment apply it once", async () => {
    const { loanId } = await overdueLoan();
    const results = await Promise.all([1, 2, 3].map(() => pay(loanId, { amount: "1000.00", reference: "RACE-1" })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    const loan = (
      await ctx.app.inject({ method: "GET", url: `/api/loans/${loanId}`, headers: ctx.as.agent.headers })
    ).json();
    expect(loan.outstandingBalance).toBe("59000.00");
  });

  it("concurrent different payments cannot overdraw the balance", async () => {
    const { loanId } = await overdueLoan();
    const results = await Promise.all([1, 2].map((i) => pay(loanId, { amount: "40000.00", reference: `BIG-${i}` })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
  });

  it("rejects an amount ≤ 0 or above the outstanding balance with 400, writing nothing", async () => {
    const { loanId } = await overdueLoan();
    for (const amount of ["0", "0.00", "-5", "12.345", "abc"]) {
      const res = await pay(loanId, { amount, reference: `BAD-${amount}` });
      expect(res.statusCode, amount).toBe(400);
      expect(res.json().error.details[0].path).toBe("/amount");
    }
    const over = await pay(loanId, { amount: "60000.01", reference: "OVER" });
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toContain("60000.00");
    const rows = await ctx.app.database.db.select().from(payments).where(eq(payments.loanId, loanId));
    expect(rows).toHaveLength(0);
  });

  it("paying the whole balance closes the loan", async () => {
    const { loanId } = await overdueLoan();
    const res = await pay(loanId, { amount: "60000.00", reference: "FULL" });
    expect(res.json().loan).toMatchObject({
      outstandingBalance: "0.00",
      paymentStatus: "paid_off",
      collectionStatus: "closed",
      nextDueDate: null,
      bucket: "current",
    });
  });

  it("is for supervisors; 404 for an unknown loan; lists payments newest first", async () => {
    const { loanId } = await overdueLoan();
    expect((await pay(loanId, { amount: "10.00", reference: "A" }, ctx.as.agent.headers)).statusCode).toBe(403);
    expect((await pay("00000000-0000-4000-8000-000000000000", { amount: "10.00", reference: "A" })).statusCode).toBe(
      404,
    );
    await pay(loanId, { amount: "10.00", reference: "P1", paidAt: "2026-06-01T10:00:00Z" });
    await pay(loanId, { amount: "20.00", reference: "P2", paidAt: "2026-06-10T10:00:00Z" });
    const list = await ctx.app.inject({
      method: "GET",
      url: `/api/loans/${loanId}/payments?limit=1`,
      headers: ctx.as.agent.headers,
    });
    expect(list.json().data.map((p: { reference: string }) => p.reference)).toEqual(["P2"]);
    const next = await ctx.app.inject({
      method: "GET",
      url: `/api/loans/${loanId}/payments?limit=1&cursor=${list.json().page.nextCursor}`,
      headers: ctx.as.agent.headers,
    });
    expect(next.json().data.map((p: { reference: string }) => p.reference)).toEqual(["P1"]);
  });

  it("refuses a payment dated in the future", async () => {
    const { loanId } = await overdueLoan();
    const res = await pay(loanId, {
      amount: "10.00",
      reference: "FUT",
      paidAt: new Date(clock.now().getTime() + 86_400_000).toISOString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe("/paidAt");
  });
});

describe("applyPayment (rules)", () => {
  const loan = {
    outstandingBalance: "10000.00",
    amountOverdue: "3000.00",
    installmentAmount: "1000.00",
    missedInstallments: 3,
    nextDueDate: "2026-01-31",
    paymentStatus: "defaulted" as const,
    collectionStatus: "legal" as const,
  };
  it("pays arrears first and moves the due date a month per cleared installment, month-end safe", () => {
    expect(applyPayment(loan, "1500.00")).toMatchObject({
      outstandingBalance: "8500.00",
      amountOverdue: "1500.00",
      missedInstallments: 2,
      nextDueDate: "2026-02-28",
      paymentStatus: "defaulted",
      collectionStatus: "legal",
    });
    expect(applyPayment(loan, "3000.00")).toMatchObject({
      amountOverdue: "0.00",
      missedInstallments: 0,
      nextDueDate: "2026-04-30",
      paymentStatus: "current",
    });
    expect(applyPayment({ ...loan, paymentStatus: "written_off" }, "3000.00").paymentStatus).toBe("written_off");
    expect(applyPayment(loan, "0.01").outstandingBalance).toBe("9999.99");
  });
  it("adds months with clamping", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2028-01-31", 1)).toBe("2028-02-29");
    expect(addMonths("2026-12-15", 2)).toBe("2027-02-15");
  });
});
