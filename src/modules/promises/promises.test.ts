import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loans } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import {
  createCustomer,
  createLoan,
  customerPhone,
  daysAgo,
  LONG_SESSION_ENV,
  staffSessions,
} from "../../../test/support/crm.js";
import { runPromiseEvaluation } from "./service.js";

// Monday 15 June 2026, 10:00 in Algiers; PROMISE_GRACE_DAYS = 2.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
let t: TestApp;
let as: Awaited<ReturnType<typeof staffSessions>>;
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...LONG_SESSION_ENV, PROMISE_GRACE_DAYS: "2" }, { clock });
  as = await staffSessions(t.app);
});
afterAll(async () => t.close());

/** A loan with a 6,000 promise due on 20 June, made today. */
async function promised() {
  const phone = customerPhone();
  const c = await createCustomer(t.app, as.supervisor.headers, { phone });
  const loan = await createLoan(t.app, as.supervisor.headers, c.id, {
    amountOverdue: "11000.00",
    nextDueDate: daysAgo(clock.now(), 40),
  });
  const res = await t.app.inject({
    method: "POST",
    url: "/api/crm/post-call",
    headers: as.agent.headers,
    payload: {
      callId: `P-${++seq}`,
      phone,
      direction: "outbound",
      startedAt: clock.now().toISOString(),
      durationSeconds: 90,
      disposition: "promise_to_pay",
      promiseAmount: "6000",
      promiseDate: "2026-06-20",
    },
  });
  expect(res.statusCode).toBe(201);
  return { loanId: loan.id };
}
/** Moves the clock and signs everyone in again (tokens last a day). */
async function travel(to: string) {
  clock.set(new Date(to));
  as = await staffSessions(t.app);
}
const pay = (loanId: string, amount: string, paidAt: string) =>
  t.app.inject({
    method: "POST",
    url: `/api/loans/${loanId}/payments`,
    headers: as.supervisor.headers,
    payload: { amount, paidAt, method: "ccp", reference: `PAY-${++seq}` },
  });
const promises = async (loanId: string) =>
  (await t.app.inject({ method: "GET", url: `/api/loans/${loanId}/promises`, headers: as.agent.headers })).json().data;
const loanStatus = async (loanId: string) =>
  (await t.app.database.db.select().from(loans).where(eq(loans.id, loanId)))[0]?.collectionStatus;

describe("promises to pay", () => {
  it("payments that reach the amount by the due date keep it; the loan leaves promise_to_pay", async () => {
    const { loanId } = await promised();
    expect((await pay(loanId, "2500", "2026-06-15T09:00:00Z")).statusCode).toBe(201);
    expect((await promises(loanId))[0].status).toBe("pending");
    expect((await pay(loanId, "3500", "2026-06-15T09:01:00Z")).statusCode).toBe(201);
    expect((await promises(loanId))[0]).toMatchObject({ status: "kept", resolvedAt: expect.any(String) });
    expect(await loanStatus(loanId)).toBe("in_collection");
  });

  it("a payment within the grace days still keeps it", async () => {
    const { loanId } = await promised();
    await travel("2026-06-22T10:00:00Z");
    expect((await pay(loanId, "6000", "2026-06-22T10:00:00Z")).statusCode).toBe(201);
    expect((await promises(loanId))[0].status).toBe("kept");
    await travel("2026-06-15T09:00:00Z");
  });

  it("past the due date plus grace it is broken (on read and by the job); the loan returns to in_collection", async () => {
    const a = await promised();
    const b = await promised();
    await travel("2026-06-22T20:00:00Z"); // 22 June, 21:00 in Algiers: the grace days end tonight.
    expect((await promises(a.loanId))[0].status).toBe("pending");
    await travel("2026-06-23T08:00:00Z");
    expect((await promises(a.loanId))[0].status).toBe("broken");
    expect(await loanStatus(a.loanId)).toBe("in_collection");
    // The other one is settled by the periodic job, without anyone reading it.
    const result = await runPromiseEvaluation(t.app.services, t.app.database);
    expect(result).toMatchObject({ ran: true });
    expect(result.broken).toBeGreaterThanOrEqual(1);
    expect(await loanStatus(b.loanId)).toBe("in_collection");
    const late = await pay(a.loanId, "6000", "2026-06-23T08:00:00Z");
    expect(late.statusCode).toBe(201);
    expect((await promises(a.loanId))[0].status).toBe("broken");
    await travel("2026-06-15T09:00:00Z");
  });

  it("a new promise cancels the previous pending one", async () => {
    const phone = customerPhone();
    const c = await createCustomer(t.app, as.supervisor.headers, { phone });
    const loan = await createLoan(t.app, as.supervisor.headers, c.id, {
      amountOverdue: "5500.00",
      nextDueDate: daysAgo(clock.now(), 10),
    });
    for (const [i, date] of ["2026-06-20", "2026-06-25"].entries()) {
      clock.advance(60_000);
      await t.app.inject({
        method: "POST",
        url: "/api/crm/post-call",
        headers: as.agent.headers,
        payload: {
          callId: `RE-${seq}-${i}`,
          phone,
          direction: "inbound",
          startedAt: clock.now().toISOString(),
          durationSeconds: 30,
          disposition: "promise_to_pay",
          promiseAmount: "1000",
          promiseDate: date,
        },
      });
    }
    expect((await promises(loan.id)).map((p: { status: string }) => p.status)).toEqual(["pending", "cancelled"]);
  });
});
