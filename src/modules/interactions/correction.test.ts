import { describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { createCustomer, createLoan, useCrmTestApp } from "../../../test/support/crm.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const ctx = useCrmTestApp(clock);

async function promiseCall() {
  const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
  const loan = await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
    amountOverdue: "11000.00",
    nextDueDate: "2026-05-01",
  });
  const res = await ctx.app.inject({
    method: "POST",
    url: "/api/crm/post-call",
    headers: ctx.as.agent.headers,
    payload: {
      callId: `C-${c.id}`,
      customerId: c.id,
      loanId: loan.id,
      direction: "outbound",
      startedAt: "2026-06-15T08:30:00Z",
      durationSeconds: 60,
      disposition: "promise_to_pay",
      promiseAmount: "5000.00",
      promiseDate: "2026-06-20",
      notes: "promet",
    },
  });
  expect(res.statusCode).toBe(201);
  return { customer: c, loan, interactionId: res.json().interaction.id as string };
}

describe("GET /api/interactions/:id", () => {
  it("answers one interaction with its version; 404 for an unknown id", async () => {
    const { interactionId, customer } = await promiseCall();
    const res = await ctx.app.inject({
      method: "GET",
      url: `/api/interactions/${interactionId}`,
      headers: ctx.as.agent.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: interactionId,
      customerId: customer.id,
      disposition: "promise_to_pay",
      notes: "promet",
      version: 1,
      updatedAt: null,
      callbackAt: null,
    });
    expect(res.headers.etag).toBe('"1"');
    const missing = await ctx.app.inject({
      method: "GET",
      url: "/api/interactions/00000000-0000-4000-8000-000000000000",
      headers: ctx.as.agent.headers,
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe("PATCH /api/interactions/:id", () => {
  it("a supervisor corrects notes and disposition with the version; the audit keeps the original; effects are not re-run", async () => {
    const { interactionId, loan } = await promiseCall();
    const url = `/api/interactions/${interactionId}`;
    const res = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: ctx.as.supervisor.headers,
      payload: { version: 1, notes: "a refusé de payer", disposition: "refused_to_pay" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: interactionId,
      notes: "a refusé de payer",
      disposition: "refused_to_pay",
      version: 2,
      effectsReRun: false,
      updatedAt: clock.now().toISOString(),
    });
    expect(res.json().notice).toMatch(/not re-run/);

    // The promise made by the original disposition is still there: effects are not replayed.
    const promises = await ctx.app.inject({
      method: "GET",
      url: `/api/loans/${loan.id}/promises`,
      headers: ctx.as.agent.headers,
    });
    expect(promises.json().data ?? promises.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: "pending" })]),
    );

    const audit = await ctx.app.inject({
      method: "GET",
      url: "/api/admin/audit-logs?action=interaction.corrected",
      headers: ctx.as.admin.headers,
    });
    const entry = audit.json().data.find((e: { entityId: string }) => e.entityId === interactionId);
    expect(entry.details).toMatchObject({
      original: { notes: "promet", disposition: "promise_to_pay", version: 1 },
      changes: {
        notes: { from: "promet", to: "a refusé de payer" },
        disposition: { from: "promise_to_pay", to: "refused_to_pay" },
      },
      effectsReRun: false,
    });
  });

  it("stale version → 409 VERSION_CONFLICT with the current record; If-Match works; agents are refused; bad disposition → 400", async () => {
    const { interactionId } = await promiseCall();
    const url = `/api/interactions/${interactionId}`;
    expect(
      (
        await ctx.app.inject({
          method: "PATCH",
          url,
          headers: { ...ctx.as.supervisor.headers, "if-match": '"1"' },
          payload: { notes: "x" },
        })
      ).statusCode,
    ).toBe(200);
    const stale = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: ctx.as.supervisor.headers,
      payload: { version: 1, notes: "y" },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({
      code: "VERSION_CONFLICT",
      current: { id: interactionId, notes: "x", version: 2 },
    });
    expect(
      (await ctx.app.inject({ method: "PATCH", url, headers: ctx.as.supervisor.headers, payload: { notes: "y" } }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await ctx.app.inject({
          method: "PATCH",
          url,
          headers: ctx.as.agent.headers,
          payload: { version: 2, notes: "y" },
        })
      ).statusCode,
    ).toBe(403);
    const bad = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: ctx.as.supervisor.headers,
      payload: { version: 2, disposition: "nonsense" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe("/disposition");
    const missing = await ctx.app.inject({
      method: "PATCH",
      url: "/api/interactions/00000000-0000-4000-8000-000000000000",
      headers: ctx.as.supervisor.headers,
      payload: { version: 1, notes: "y" },
    });
    expect(missing.statusCode).toBe(404);
  });

  it("concurrent corrections at one version: exactly one wins", async () => {
    const { interactionId } = await promiseCall();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ctx.app.inject({
          method: "PATCH",
          url: `/api/interactions/${interactionId}`,
          headers: ctx.as.supervisor.headers,
          payload: { version: 1, notes: `n${i}` },
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(7);
  });
});
