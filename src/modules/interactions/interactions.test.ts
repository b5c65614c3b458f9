import { describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { createCustomer, createLoan, useCrmTestApp } from "../../../test/support/crm.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const ctx = useCrmTestApp(clock);

const log = (payload: Record<string, unknown>, headers = ctx.as.agent.headers) =>
  ctx.app.inject({ method: "POST", url: "/api/interactions", headers, payload });
const list = (query: string) =>
  ctx.app.inject({ method: "GET", url: `/api/interactions?${query}`, headers: ctx.as.agent.headers });

describe("interactions", () => {
  it("an agent logs a note or contact; the agent is the caller", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id);
    const res = await log({
      customerId: c.id,
      loanId: loan.id,
      channel: "call",
      direction: "outbound",
      durationSeconds: 95,
      disposition: "callback_requested",
      notes: "Rappeler après 18h",
      startedAt: "2026-06-15T08:00:00Z",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      customerId: c.id,
      loanId: loan.id,
      agentId: ctx.as.agent.userId,
      agentName: ctx.as.agent.name,
      channel: "call",
      disposition: "callback_requested",
      startedAt: "2026-06-15T08:00:00.000Z",
    });
    const note = await log({ customerId: c.id, channel: "note", notes: "Client coopératif" });
    expect(note.json()).toMatchObject({ direction: "outbound", startedAt: clock.now().toISOString() });
  });

  it("validates the customer, the loan's owner, the channel and a unique call id", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const other = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const otherLoan = await createLoan(ctx.app, ctx.as.supervisor.headers, other.id);
    expect(
      (await log({ customerId: "00000000-0000-4000-8000-000000000000", channel: "note" })).json().error.details[0].path,
    ).toBe("/customerId");
    expect((await log({ customerId: c.id, loanId: otherLoan.id, channel: "call" })).json().error.details[0].path).toBe(
      "/loanId",
    );
    expect((await log({ customerId: c.id, channel: "fax" })).statusCode).toBe(400);
    expect((await log({ customerId: c.id, channel: "call", callId: "CALL-1" })).statusCode).toBe(201);
    const dup = await log({ customerId: c.id, channel: "call", callId: "CALL-1" });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details).toEqual([{ path: "/callId", message: "already exists" }]);
  });

  it("lists with filters, newest first, per customer, with pagination", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    for (const [i, disposition] of ["no_answer", "busy", "promise_to_pay"].entries()) {
      await log({ customerId: c.id, channel: "call", disposition, startedAt: `2026-06-1${i}T10:00:00Z` });
    }
    await log({ customerId: c.id, channel: "sms", startedAt: "2026-06-13T10:00:00Z" }, ctx.as.supervisor.headers);
    const all = await ctx.app.inject({
      method: "GET",
      url: `/api/customers/${c.id}/interactions`,
      headers: ctx.as.agent.headers,
    });
    expect(all.json().data.map((i: { startedAt: string }) => i.startedAt.slice(0, 10))).toEqual([
      "2026-06-13",
      "2026-06-12",
      "2026-06-11",
      "2026-06-10",
    ]);
    expect((await list(`customerId=${c.id}&disposition=busy`)).json().data).toHaveLength(1);
    expect((await list(`customerId=${c.id}&agentId=${ctx.as.supervisor.userId}`)).json().data).toHaveLength(1);
    expect(
      (await list(`customerId=${c.id}&from=2026-06-11T00:00:00Z&to=2026-06-13T00:00:00Z`)).json().data,
    ).toHaveLength(2);
    const first = (await list(`customerId=${c.id}&limit=3`)).json();
    const second = (await list(`customerId=${c.id}&limit=3&cursor=${first.page.nextCursor}`)).json();
    expect(second.data).toHaveLength(1);
    expect(second.page.nextCursor).toBeNull();
  });
});
