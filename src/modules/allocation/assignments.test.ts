import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLogs, customerAssignments, customers } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { nextCall, seedDebtors, signedInAgents } from "../../../test/support/allocation.js";
import { type Headers, useCrmTestApp } from "../../../test/support/crm.js";

// Monday 15 June 2026, 10:00 in Algiers.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const t = useCrmTestApp(clock);

const post = (url: string, payload: unknown, headers: Headers = t.as.admin.headers) =>
  t.app.inject({ method: "POST", url, headers, payload: payload as object });
const assign = (payload: unknown, dryRun = false, headers: Headers = t.as.supervisor.headers) =>
  post(`/api/admin/assignments${dryRun ? "?dryRun=true" : ""}`, payload, headers);

async function team(name: string, members: string[]) {
  const created = await post("/api/admin/teams", { name, supervisorId: t.as.supervisor.userId });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  if (members.length) expect((await post(`/api/admin/teams/${id}/members`, { userIds: members })).statusCode).toBe(200);
  return id;
}

describe("teams", () => {
  it("admins create and change teams; supervisors read their own; names are unique", async () => {
    const [a] = await signedInAgents(t.app, 1);
    const id = await team("Oran North", [a!.userId]);
    expect((await post("/api/admin/teams", { name: "oran north" })).statusCode).toBe(409);
    expect((await post("/api/admin/teams", { name: "X" }, t.as.supervisor.headers)).statusCode).toBe(403);
    const mine = await t.app.inject({ method: "GET", url: "/api/admin/teams", headers: t.as.supervisor.headers });
    expect(mine.json().data.map((x: { id: string }) => x.id)).toContain(id);
    const one = (
      await t.app.inject({ method: "GET", url: `/api/admin/teams/${id}`, headers: t.as.supervisor.headers })
    ).json();
    expect(one).toMatchObject({
      name: "Oran North",
      supervisor: { id: t.as.supervisor.userId },
      members: [{ id: a!.userId }],
    });
    const renamed = await t.app.inject({
      method: "PATCH",
      url: `/api/admin/teams/${id}`,
      headers: t.as.admin.headers,
      payload: { name: "Oran Nord" },
    });
    expect(renamed.json().name).toBe("Oran Nord");
    const out = await t.app.inject({
      method: "DELETE",
      url: `/api/admin/teams/${id}/members/${a!.userId}`,
      headers: t.as.admin.headers,
    });
    expect(out.json().members).toEqual([]);
    expect(
      (
        await t.app.inject({
          method: "DELETE",
          url: `/api/admin/teams/${id}/members/${a!.userId}`,
          headers: t.as.admin.headers,
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe("assignments and next-call pools", () => {
  it("next-call takes the agent's own customers, then the team's unowned ones, then the unowned pool", async () => {
    const [agent, teammate] = await signedInAgents(t.app, 2);
    const teamId = await team("Pool order", [agent!.userId, teammate!.userId]);
    // The unowned pool's customers owe the most, so only the pool order puts own and team first.
    const unowned = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "900000" });
    const teams = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "5000" });
    const own = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "100" });
    const other = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "990000" });
    expect((await assign({ customerIds: [own[0]!.id], to: { agentId: agent!.userId } })).json()).toMatchObject({
      matched: 1,
      changed: 1,
    });
    expect((await assign({ customerIds: [teams[0]!.id], to: { teamId } })).statusCode).toBe(200);
    expect((await assign({ customerIds: [other[0]!.id], to: { agentId: t.as.agent.userId } })).statusCode).toBe(200);
    const [stored] = await t.app.database.db
      .select()
      .from(customerAssignments)
      .where(eq(customerAssignments.customerId, own[0]!.id));
    expect(stored).toMatchObject({
      assignedAgentId: agent!.userId,
      assignedTeamId: teamId,
      assignedBy: t.as.supervisor.userId,
    });
    const audit = await t.app.database.db.select().from(auditLogs).where(eq(auditLogs.entityId, own[0]!.id));
    expect(audit.find((e) => e.action === "customer.assigned")?.details).toMatchObject({
      from: { agentId: null, teamId: null },
      to: { agentId: agent!.userId, teamId },
    });

    // The worklist is the agent's own view: their pools only, each row saying whose it is.
    const list = (await t.app.inject({ method: "GET", url: "/api/crm/worklist", headers: agent!.headers })).json()
      .data as { customerId: string; owner: { pool: string } }[];
    expect(list.find((r) => r.customerId === other[0]!.id)).toBeUndefined();
    expect(list.find((r) => r.customerId === own[0]!.id)?.owner.pool).toBe("own");
    expect(list.find((r) => r.customerId === teams[0]!.id)?.owner.pool).toBe("team");

    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { claim } = (await nextCall(t.app, agent!.headers)).json();
      order.push(claim.customerId);
      await post(`/api/crm/claims/${claim.customerId}/release`, { reason: "skipped" }, agent!.headers);
      if (i === 0) {
        // A claimed customer is not on anyone else's worklist.
        const theirs = (
          await t.app.inject({ method: "GET", url: "/api/crm/worklist", headers: teammate!.headers })
        ).json().data;
        expect(theirs.find((r: { customerId: string }) => r.customerId === claim.customerId)).toBeUndefined();
      }
      // Skipped customers stay callable: take them out of the way for this check.
      await t.app.database.db.update(customers).set({ doNotCall: true }).where(eq(customers.id, claim.customerId));
    }
    expect(order).toEqual([own[0]!.id, teams[0]!.id, unowned[0]!.id]);

    const board = await t.app.inject({ method: "GET", url: "/api/admin/claims", headers: t.as.supervisor.headers });
    expect(board.statusCode).toBe(200);
    const summary = await t.app.inject({
      method: "GET",
      url: "/api/admin/assignments/summary",
      headers: t.as.supervisor.headers,
    });
    expect(summary.statusCode, summary.body).toBe(200);
    expect(summary.json().agents.find((a: { agentId: string }) => a.agentId === agent!.userId)).toMatchObject({
      customers: 1,
      skipsToday: 3,
      claimsLive: 0,
      signedIn: true,
    });
    expect((await t.app.inject({ method: "GET", url: "/api/admin/claims", headers: agent!.headers })).statusCode).toBe(
      403,
    );
    // Signed out: no longer shown as signed in on the live board.
    expect((await post("/api/auth/logout", undefined, agent!.headers)).statusCode).toBeLessThan(300);
    const after = await t.app.inject({
      method: "GET",
      url: "/api/admin/assignments/summary",
      headers: t.as.supervisor.headers,
    });
    expect(after.json().agents.find((a: { agentId: string }) => a.agentId === agent!.userId).signedIn).toBe(false);
  });

  it("round robin and balance by amount split a team's customers evenly; a dry run changes nothing", async () => {
    const agents = await signedInAgents(t.app, 4);
    const teamId = await team(
      "Split",
      agents.map((a) => a.userId),
    );
    const amounts = Array.from({ length: 40 }, (_, i) => String(1000 * (i + 1)));
    const debtors = [];
    for (const amount of amounts)
      debtors.push(...(await seedDebtors(t.app, clock.now(), 1, { totalOverdue: amount, city: "Split-city" })));
    const ids = debtors.map((d) => d.id);

    const dry = await assign({ filter: { city: "Split-city" }, to: { teamId }, strategy: "round_robin" }, true);
    expect(dry.json()).toMatchObject({ dryRun: true, matched: 40, changed: 40 });
    expect(dry.json().owners.map((o: { customers: number }) => o.customers)).toEqual([10, 10, 10, 10]);
    expect(
      await t.app.database.db.select().from(customerAssignments).where(inArray(customerAssignments.customerId, ids)),
    ).toEqual([]);

    const rr = (await assign({ filter: { city: "Split-city" }, to: { teamId }, strategy: "round_robin" })).json();
    expect(rr.owners.map((o: { customers: number }) => o.customers)).toEqual([10, 10, 10, 10]);
    const balanced = (await assign({ customerIds: ids, to: { teamId }, strategy: "balance_amount" })).json();
    const totals = balanced.owners.map((o: { totalOverdue: string }) => Number(o.totalOverdue));
    // 820,000 in all: a snake deal of 40 amounts over 4 agents gives each exactly a quarter.
    expect(totals.reduce((a: number, b: number) => a + b, 0)).toBe(820_000);
    for (const total of totals) expect(total).toBe(205_000);
    const stored = await t.app.database.db
      .select()
      .from(customerAssignments)
      .where(inArray(customerAssignments.customerId, ids));
    expect(new Set(stored.map((c) => c.assignedAgentId)).size).toBe(4);
    // Assignment is not an edit of the customer: its version (and a supervisor's open form) is untouched.
    const versions = await t.app.database.db.select().from(customers).where(inArray(customers.id, ids));
    expect(versions.every((c) => c.version === 1)).toBe(true);

    const un = (await assign({ customerIds: ids, unassign: true })).json();
    expect(un).toMatchObject({ matched: 40, changed: 40 });
    expect(
      await t.app.database.db.select().from(customerAssignments).where(inArray(customerAssignments.customerId, ids)),
    ).toEqual([]);
    expect((await assign({ customerIds: ids, unassign: true })).json()).toMatchObject({ matched: 40, changed: 0 });
    expect(
      (await assign({ customerIds: ids, to: { agentId: agents[0]!.userId }, strategy: "round_robin" })).statusCode,
    ).toBe(400);
    expect((await assign({ customerIds: ids, filter: {}, to: { teamId } })).statusCode).toBe(400);
    expect((await assign({ customerIds: ids, to: { teamId } }, false, agents[0]!.headers)).statusCode).toBe(403);
  });
});
