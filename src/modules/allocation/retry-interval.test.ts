import { describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { apiKey, nextCall, recordOutboundCall, seedDebtors, signedInAgents } from "../../../test/support/allocation.js";
import { type Headers, useCrmTestApp } from "../../../test/support/crm.js";

// Monday 15 June 2026, 10:00 in Algiers.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const t = useCrmTestApp(clock, { MIN_MINUTES_BETWEEN_ATTEMPTS: "60", ALLOCATION_POOL: "all" });
/** Rankings are kept 10 s by the clock: step past that so new data is seen. */
const tick = () => clock.advance(11_000);

const postCall = (headers: Headers, customerId: string, extra: Record<string, unknown> = {}) =>
  recordOutboundCall(t.app, headers, clock.now(), customerId, extra);

describe("the rest between attempts (MIN_MINUTES_BETWEEN_ATTEMPTS)", () => {
  it("an unanswered customer is not offered again for an hour, by next-call, the worklist or a dialer", async () => {
    tick();
    const [debtor] = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "990000" });
    const [agent, other] = await signedInAgents(t.app, 2);
    const first = (await nextCall(t.app, agent!.headers)).json();
    expect(first.claim.customerId).toBe(debtor!.id);
    const attemptAt = clock.now();
    expect((await postCall(agent!.headers, debtor!.id)).statusCode).toBe(201);

    tick();
    // Nobody is handed the customer back minutes later; the answer says why and until when.
    for (const headers of [agent!.headers, other!.headers]) {
      const again = (await nextCall(t.app, headers)).json();
      expect(again.claim?.customerId).not.toBe(debtor!.id);
    }
    const precall = await t.app.inject({
      method: "GET",
      url: `/api/crm/pre-call?phone=${encodeURIComponent(debtor!.phone)}`,
      headers: agent!.headers,
    });
    expect(precall.json().eligibility).toEqual({
      canCall: false,
      reasons: ["RETRY_INTERVAL"],
      nextEligibleAt: new Date(attemptAt.getTime() + 3_600_000).toISOString(),
    });
    const list = (await t.app.inject({ method: "GET", url: "/api/crm/worklist", headers: agent!.headers })).json()
      .data as { customerId: string }[];
    expect(list.map((r) => r.customerId)).not.toContain(debtor!.id);
    const key = await apiKey(t.app, t.as.admin.headers, ["worklist:claim"]);
    const batch = await t.app.inject({
      method: "POST",
      url: "/api/crm/claims",
      headers: { "x-api-key": key.key },
      payload: { count: 500 },
    });
    expect(batch.statusCode, batch.body).toBe(200);
    expect(JSON.stringify(batch.json())).not.toContain(debtor!.id);
    await t.app.inject({ method: "DELETE", url: "/api/crm/claims", headers: { "x-api-key": key.key } });

    // An hour after the attempt, the customer is offered again.
    clock.advance(3_600_000);
    const later = (await nextCall(t.app, other!.headers)).json();
    expect(later.claim?.customerId).toBe(debtor!.id);
  });

  it("a callback the customer asked for, due since the attempt, is offered without waiting out the rest", async () => {
    tick();
    const [debtor] = await seedDebtors(t.app, clock.now(), 1, { totalOverdue: "995000" });
    const [agent] = await signedInAgents(t.app, 1);
    expect((await nextCall(t.app, agent!.headers)).json().claim.customerId).toBe(debtor!.id);
    const res = await postCall(agent!.headers, debtor!.id, {
      disposition: "callback_requested",
      callbackAt: new Date(clock.now().getTime() + 10 * 60_000).toISOString(),
    });
    expect(res.statusCode, res.body).toBe(201);
    clock.advance(10 * 60_000 + 11_000);
    expect((await nextCall(t.app, agent!.headers)).json().claim?.customerId).toBe(debtor!.id);
  });
});
