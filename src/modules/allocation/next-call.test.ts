import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { callClaims, customers } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { apiKey, nextCall, recordOutboundCall, seedDebtors, signedInAgents } from "../../../test/support/allocation.js";
import { type Headers, useCrmTestApp } from "../../../test/support/crm.js";

// Monday 15 June 2026, 10:00 in Algiers.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const t = useCrmTestApp(clock, { CLAIM_LEASE_SECONDS: "600" });
/** Rankings are kept 10 s by the clock: step past that so new data is seen. */
const tick = () => clock.advance(11_000);

const postCall = (headers: Headers, customerId: string, disposition = "no_answer") =>
  recordOutboundCall(t.app, headers, clock.now(), customerId, { disposition });
const liveClaims = (customerId: string) =>
  t.app.database.db.select().from(callClaims).where(eq(callClaims.customerId, customerId));

describe("POST /api/crm/next-call", () => {
  it("claims the best callable customer with the pre-call answer, and returns the same claim when asked again", async () => {
    tick();
    const debtors = await seedDebtors(t.app, clock.now(), 3);
    const [agent] = await signedInAgents(t.app, 1);
    const first = await nextCall(t.app, agent!.headers);
    expect(first.statusCode, first.body).toBe(200);
    const body = first.json();
    // The largest amount overdue at equal days past due ranks first.
    expect(body.claim).toMatchObject({ customerId: debtors[2]!.id, phone: debtors[2]!.phone });
    expect(new Date(body.claim.expiresAt).getTime() - clock.now().getTime()).toBe(600_000);
    expect(body.precall.customer.id).toBe(debtors[2]!.id);
    expect(body.precall.eligibility.canCall).toBe(true);
    expect(body.precall.claimedBy).toBeNull();
    const again = (await nextCall(t.app, agent!.headers)).json();
    expect(again.claim).toEqual(body.claim);

    // Someone else's pre-call on that number still answers, and says who holds the customer.
    const other = await t.app.inject({
      method: "GET",
      url: `/api/crm/pre-call?phone=${encodeURIComponent(debtors[2]!.phone)}`,
      headers: t.as.agent.headers,
    });
    expect(other.json().claimedBy).toEqual({ name: agent!.name, until: body.claim.expiresAt });
    // …and their post-call is accepted and recorded, leaving the claim to its holder.
    expect((await postCall(t.as.agent.headers, debtors[2]!.id, "busy")).statusCode).toBe(201);
    expect((await nextCall(t.app, agent!.headers)).json().claim.customerId).toBe(debtors[2]!.id);
  });

  it("a post-call releases the claim in the same transaction; the customer can be claimed again", async () => {
    tick();
    await seedDebtors(t.app, clock.now(), 3, { totalOverdue: "90000" });
    const [agent, other] = await signedInAgents(t.app, 2);
    const { claim } = (await nextCall(t.app, agent!.headers)).json();
    expect((await postCall(agent!.headers, claim.customerId)).statusCode).toBe(201);
    const rows = await liveClaims(claim.customerId);
    expect(rows.filter((r) => r.userId === agent!.userId)).toEqual([
      expect.objectContaining({ releaseReason: "call_recorded", releasedAt: clock.now() }),
    ]);
    // One unanswered attempt of three allowed today: still the best callable customer.
    expect((await nextCall(t.app, other!.headers)).json().claim.customerId).toBe(claim.customerId);
  });

  it("a skip releases the claim (audited); releasing a claim you do not hold is 404 CLAIM_NOT_FOUND", async () => {
    tick();
    await seedDebtors(t.app, clock.now(), 2, { totalOverdue: "95000" });
    const [agent] = await signedInAgents(t.app, 1);
    const { claim } = (await nextCall(t.app, agent!.headers)).json();
    const release = (headers: Headers) =>
      t.app.inject({
        method: "POST",
        url: `/api/crm/claims/${claim.customerId}/release`,
        headers,
        payload: { reason: "skipped", note: "line busy all morning" },
      });
    const notMine = await release(t.as.agent.headers);
    expect(notMine.statusCode).toBe(404);
    expect(notMine.json().error.code).toBe("CLAIM_NOT_FOUND");
    const res = await release(agent!.headers);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ customerId: claim.customerId, reason: "skipped" });
    const audit = await t.app.inject({
      method: "GET",
      url: `/api/admin/audit-logs?action=claim.skipped`,
      headers: t.as.admin.headers,
    });
    expect(audit.body).toContain(claim.customerId);
    expect((await release(agent!.headers)).statusCode).toBe(404);
  });

  it("an expired lease makes the customer claimable again (released as expired)", async () => {
    tick();
    const [debtor] = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "99000" });
    const [a, b] = await signedInAgents(t.app, 2);
    expect((await nextCall(t.app, a!.headers)).json().claim.customerId).toBe(debtor!.id);
    expect((await nextCall(t.app, b!.headers)).json().claim?.customerId).not.toBe(debtor!.id);
    await t.app.inject({
      method: "POST",
      url: `/api/crm/claims/${(await nextCall(t.app, b!.headers)).json().claim.customerId}/release`,
      headers: b!.headers,
      payload: { reason: "returned" },
    });
    clock.advance(601_000);
    expect((await nextCall(t.app, b!.headers)).json().claim.customerId).toBe(debtor!.id);
    const rows = await liveClaims(debtor!.id);
    expect(rows.find((r) => r.userId === a!.userId)).toMatchObject({ releaseReason: "expired" });
    // The first holder, asking again, gets someone else.
    expect((await nextCall(t.app, a!.headers)).json().claim.customerId).not.toBe(debtor!.id);
  });

  it("a customer set do-not-call during a claim is not offered again", async () => {
    tick();
    const [debtor] = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "99500" });
    const [agent] = await signedInAgents(t.app, 1);
    expect((await nextCall(t.app, agent!.headers)).json().claim.customerId).toBe(debtor!.id);
    await t.app.database.db.update(customers).set({ doNotCall: true }).where(eq(customers.id, debtor!.id));
    const next = (await nextCall(t.app, agent!.headers)).json();
    expect(next.claim?.customerId).not.toBe(debtor!.id);
    expect((await liveClaims(debtor!.id))[0]).toMatchObject({ releaseReason: "uncallable" });
  });

  it("nothing callable: claim null with a summary (owing, callableNow, blocked per reason, nextEligibleAt)", async () => {
    clock.set(new Date("2026-06-15T19:30:00Z")); // 20:30 in Algiers: outside the call window
    const [agent] = await signedInAgents(t.app, 1);
    const res = (await nextCall(t.app, agent!.headers)).json();
    expect(res.claim).toBeNull();
    expect(res.summary.owing).toBeGreaterThan(0);
    expect(res.summary.callableNow).toBe(0);
    expect(res.summary.blocked.OUTSIDE_CALL_WINDOW).toBeGreaterThan(0);
    expect(res.summary.nextEligibleAt).toBe("2026-06-16T07:00:00.000Z");
    clock.set(new Date("2026-06-15T10:00:00Z"));
  });

  it("locking or deactivating an agent releases their claims", async () => {
    tick();
    await seedDebtors(t.app, clock.now(), 2, { totalOverdue: "99700" });
    const [a, b] = await signedInAgents(t.app, 2);
    for (const [agent, action] of [
      [a!, "lock"],
      [b!, "deactivate"],
    ] as const) {
      const { claim } = (await nextCall(t.app, agent.headers)).json();
      const res = await t.app.inject({
        method: "POST",
        url: `/api/admin/users/${agent.userId}/${action}`,
        headers: t.as.admin.headers,
        payload: { reason: "test" },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect((await liveClaims(claim.customerId)).find((r) => r.userId === agent.userId)).toMatchObject({
        releaseReason: "holder_disabled",
      });
    }
  });

  it("dialer batches need an API key with worklist:claim; numbers flagged wrong are never offered", async () => {
    tick();
    const flaggedOnly = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "99900" });
    const withAlt = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "99800", altPhone: "+213770000123" });
    for (const d of [...flaggedOnly, ...withAlt]) {
      expect((await postCall(t.as.agent.headers, d.id, "wrong_number")).statusCode).toBe(201);
    }
    tick();
    const key = await apiKey(t.app, t.as.admin.headers, ["worklist:claim", "postcall:write"]);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: "/api/crm/claims",
          headers: t.as.agent.headers,
          payload: { count: 5 },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: "/api/crm/claims",
          headers: { "x-api-key": key.key },
          payload: { count: 0 },
        })
      ).statusCode,
    ).toBe(400);
    const reader = await apiKey(t.app, t.as.admin.headers, ["worklist:read"]);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: "/api/crm/claims",
          headers: { "x-api-key": reader.key },
          payload: { count: 5 },
        })
      ).statusCode,
    ).toBe(403);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/crm/claims",
      headers: { "x-api-key": key.key },
      payload: { count: 500 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { batchId, claims } = res.json() as { batchId: string; claims: { customerId: string; phone: string }[] };
    expect(claims.find((c) => c.customerId === flaggedOnly[0]!.id)).toBeUndefined();
    expect(claims.find((c) => c.customerId === withAlt[0]!.id)?.phone).toBe("+213770000123");
    // A post-call by the key releases its customer; DELETE returns the rest.
    const first = claims[0]!;
    const done = await t.app.inject({
      method: "POST",
      url: "/api/crm/post-call",
      headers: { "x-api-key": key.key },
      payload: {
        callId: "NC-DIALER-1",
        phone: first.phone,
        direction: "outbound",
        startedAt: clock.now().toISOString(),
        durationSeconds: 5,
        disposition: "no_answer",
      },
    });
    expect(done.statusCode, done.body).toBe(201);
    const back = await t.app.inject({
      method: "DELETE",
      url: `/api/crm/claims?batchId=${batchId}`,
      headers: { "x-api-key": key.key },
    });
    expect(back.json()).toEqual({ returned: claims.length - 1 });
    // Revoking the key gives its live claims back to the pools.
    const again = (
      await t.app.inject({
        method: "POST",
        url: "/api/crm/claims",
        headers: { "x-api-key": key.key },
        payload: { count: 2 },
      })
    ).json();
    expect(again.claims).toHaveLength(2);
    expect(
      (await t.app.inject({ method: "DELETE", url: `/api/admin/api-keys/${key.id}`, headers: t.as.admin.headers }))
        .statusCode,
    ).toBe(200);
    expect(
      (await liveClaims(again.claims[0].customerId)).find((r) => r.apiKeyId === key.id && r.batchId === again.batchId),
    ).toMatchObject({ releaseReason: "holder_disabled" });
  });
});
