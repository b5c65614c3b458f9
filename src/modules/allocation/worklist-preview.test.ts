import { describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { nextCall, seedDebtors, signedInAgents } from "../../../test/support/allocation.js";
import { type Headers, useCrmTestApp } from "../../../test/support/crm.js";

// Monday 15 June 2026, 10:00 in Algiers (inside the default call window).
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const t = useCrmTestApp(clock);

const get = (url: string, headers: Headers = t.as.supervisor.headers) => t.app.inject({ method: "GET", url, headers });
const post = (url: string, payload: object, headers: Headers = t.as.admin.headers) =>
  t.app.inject({ method: "POST", url, headers, payload });

describe("GET /api/admin/worklist (supervisor preview)", () => {
  it("shows an agent's worklist as theirs and a team's unheld customers; refuses agents and bad queries", async () => {
    const [ana, ben] = await signedInAgents(t.app, 2);
    const teamId = (await post("/api/admin/teams", { name: "Preview team" })).json().id as string;
    expect((await post(`/api/admin/teams/${teamId}/members`, { userIds: [ana!.userId, ben!.userId] })).statusCode).toBe(
      200,
    );
    const seeded = await seedDebtors(t.app, clock.now(), 6, { city: "Preview" });
    const assign = (ids: string[], to: object) =>
      post("/api/admin/assignments", { customerIds: ids, to }, t.as.supervisor.headers);
    expect((await assign([seeded[0]!.id, seeded[1]!.id], { agentId: ana!.userId })).statusCode).toBe(200);
    expect((await assign([seeded[2]!.id, seeded[3]!.id], { agentId: ben!.userId })).statusCode).toBe(200);
    expect((await assign([seeded[4]!.id], { teamId })).statusCode).toBe(200);

    const anas = await get(`/api/admin/worklist?agentId=${ana!.userId}&limit=200`);
    expect(anas.statusCode, anas.body).toBe(200);
    const anaIds = anas.json().data.map((r: { customerId: string }) => r.customerId);
    // Her own customers and her team's pool, not Ben's: what her agent's own list shows.
    expect(anaIds).toEqual(expect.arrayContaining([seeded[0]!.id, seeded[1]!.id, seeded[4]!.id]));
    expect(anaIds).not.toContain(seeded[2]!.id);
    const own = (await get("/api/crm/worklist?limit=200", ana!.headers)).json().data;
    expect(anaIds).toEqual(own.map((r: { customerId: string }) => r.customerId));

    // Ben holds one of his: the team preview leaves it out and keeps the rest of the team's.
    const held = (await nextCall(t.app, ben!.headers)).json().claim.customerId as string;
    const team = (await get(`/api/admin/worklist?teamId=${teamId}&limit=200`)).json().data as {
      customerId: string;
      owner: { agentName: string | null; teamName: string };
    }[];
    const teamIds = team.map((r) => r.customerId);
    expect(teamIds).not.toContain(held);
    expect(teamIds.sort()).toEqual(
      seeded
        .slice(0, 5)
        .map((c) => c.id)
        .filter((id) => id !== held)
        .sort(),
    );
    expect(team.every((r) => r.owner.teamName === "Preview team")).toBe(true);

    expect((await get(`/api/admin/worklist?agentId=${ana!.userId}`, ana!.headers)).statusCode).toBe(403);
    expect((await get("/api/admin/worklist")).statusCode).toBe(400);
    expect((await get(`/api/admin/worklist?agentId=${ana!.userId}&teamId=${teamId}`)).statusCode).toBe(400);
    expect((await get(`/api/admin/worklist?teamId=00000000-0000-4000-8000-000000000000`)).statusCode).toBe(404);
  });
});
