import type { App } from "../../src/app.js";
import { customerInteractions, paymentPromises, payments } from "../../src/db/schema/index.js";
import type { Headers } from "./crm.js";
import { createCustomer, createLoan, daysAgo } from "./crm.js";

const post = async (app: App, url: string, headers: Headers, payload: object, status = 200) => {
  const res = await app.inject({ method: "POST", url, headers, payload });
  if (res.statusCode !== status) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

/** A team led by `supervisorId` holding `agentIds` (made by an admin). */
export async function teamOf(app: App, admin: Headers, name: string, supervisorId: string, agentIds: string[]) {
  const team = await post(app, "/api/admin/teams", admin, { name, supervisorId }, 201);
  await post(app, `/api/admin/teams/${team.id}/members`, admin, { userIds: agentIds });
  return team as { id: string; name: string };
}

/**
 * Collections history over the last `days` days (a day apart, at noon UTC): per agent and day, calls of
 * each kind, promises made / kept / broken and payments, written straight to the tables.
 */
export async function seedHistory(app: App, admin: Headers, now: Date, agentIds: string[], days: number) {
  const customer = await createCustomer(app, admin, { fullName: "History Customer" });
  const loan = await createLoan(app, admin, customer.id, { amountOverdue: "90000.00", nextDueDate: daysAgo(now, 40) });
  const dispositions = ["promise_to_pay", "no_answer", "refused_to_pay", "wrong_number", "busy"];
  const calls: (typeof customerInteractions.$inferInsert)[] = [];
  const promises: (typeof paymentPromises.$inferInsert)[] = [];
  const paid: (typeof payments.$inferInsert)[] = [];
  for (let d = 0; d < days; d++) {
    const at = new Date(Date.parse(`${daysAgo(now, d)}T11:00:00Z`));
    agentIds.forEach((agentId, a) => {
      for (let k = 0; k < 2 + a + d; k++) {
        calls.push({
          customerId: customer.id,
          loanId: loan.id,
          agentId,
          channel: "call",
          direction: "outbound",
          startedAt: new Date(at.getTime() + k * 60_000),
          disposition: dispositions[(k + a) % dispositions.length],
        });
      }
      const status = (["pending", "kept", "broken"] as const)[(a + d) % 3];
      promises.push({
        loanId: loan.id,
        customerId: customer.id,
        amount: String(1000 * (a + 1) + 100 * d),
        dueDate: daysAgo(now, d - 3),
        status,
        createdBy: agentId,
        createdAt: at,
        resolvedAt: status === "pending" ? null : at,
      });
    });
    paid.push({
      loanId: loan.id,
      amount: String(2500 + 500 * d),
      paidAt: at,
      method: "cash",
      reference: `HIST-${d}`,
    });
  }
  const db = app.database.db;
  await db.insert(customerInteractions).values(calls);
  await db.insert(paymentPromises).values(promises);
  await db.insert(payments).values(paid);
  return { calls: calls.length, collected: paid.reduce((s, p) => s + Number(p.amount), 0) };
}
