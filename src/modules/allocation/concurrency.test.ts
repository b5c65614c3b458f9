import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../../app.js";
import { queryRows } from "../../db/client.js";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { apiKey, nextCall, seedDebtors, signedInAgents } from "../../../test/support/allocation.js";
import { buildTestApp, onPostgres, type TestApp, testConfig } from "../../../test/support/app.js";
import { LONG_SESSION_ENV, staffSessions } from "../../../test/support/crm.js";

// Monday 15 June 2026, 10:00 in Algiers.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const env = { ...FAST_AUTH_ENV, ...LONG_SESSION_ENV, DB_POOL_MAX: "10" };
let t: TestApp;
let as: Awaited<ReturnType<typeof staffSessions>>;

beforeAll(async () => {
  t = await buildTestApp(env, { clock });
  as = await staffSessions(t.app);
});
afterAll(async () => t.close());

/** Counted from the database, not from the answers: customers with more than one live claim. */
async function doubleClaims(app: App) {
  return queryRows<{ customer_id: string; n: unknown }>(
    app.database.db,
    sql`select customer_id, count(*) as n from call_claims where released_at is null group by customer_id having count(*) > 1`,
  );
}
const releaseAll = (app: App) =>
  app.database.db.execute(
    sql`update call_claims set released_at = now(), release_reason = 'returned' where released_at is null`,
  );

describe("claims under concurrency", () => {
  it("50 agents calling next-call at once get 50 different customers", async () => {
    await seedDebtors(t.app, clock.now(), 80);
    clock.advance(11_000);
    const agents = await signedInAgents(t.app, 50);
    const answers = await Promise.all(agents.map((a) => nextCall(t.app, a.headers)));
    for (const r of answers) expect(r.statusCode, r.body).toBe(200);
    const ids = answers.map((r) => r.json().claim.customerId as string);
    expect(new Set(ids).size).toBe(50);
    expect(await doubleClaims(t.app)).toEqual([]);
    // Each asks again at once: the same customer each (a refresh never skips).
    const again = await Promise.all(agents.map((a) => nextCall(t.app, a.headers)));
    expect(again.map((r) => r.json().claim.customerId)).toEqual(ids);
    await releaseAll(t.app);
  });

  it.runIf(onPostgres)("the same with two service instances on one database", async () => {
    const second = await buildApp(testConfig({ ...t.database.env, ...env }), { clock });
    try {
      await seedDebtors(t.app, clock.now(), 30, { totalOverdue: "50000" });
      clock.advance(11_000);
      const agents = await signedInAgents(t.app, 50);
      const answers = await Promise.all(agents.map((a, i) => nextCall(i % 2 === 0 ? t.app : second, a.headers)));
      for (const r of answers) expect(r.statusCode, r.body).toBe(200);
      const ids = answers.map((r) => r.json().claim?.customerId as string).filter(Boolean);
      expect(ids.length).toBe(50);
      expect(new Set(ids).size).toBe(50);
      expect(await doubleClaims(t.app)).toEqual([]);
    } finally {
      await second.close();
      await releaseAll(t.app);
    }
  });

  it("a dialer batch of 200 and 20 agents at once never overlap", async () => {
    await seedDebtors(t.app, clock.now(), 260, { totalOverdue: "60000" });
    clock.advance(11_000);
    const key = await apiKey(t.app, as.admin.headers, ["worklist:claim", "postcall:write"]);
    const agents = await signedInAgents(t.app, 20);
    const [batch, ...calls] = await Promise.all([
      t.app.inject({
        method: "POST",
        url: "/api/crm/claims",
        headers: { "x-api-key": key.key },
        payload: { count: 200 },
      }),
      ...agents.map((a) => nextCall(t.app, a.headers)),
    ]);
    expect(batch!.statusCode, batch!.body).toBe(200);
    const dialled = (batch!.json().claims as { customerId: string }[]).map((c) => c.customerId);
    expect(dialled).toHaveLength(200);
    const taken = calls.map((r) => r.json().claim.customerId as string);
    expect(new Set(taken).size).toBe(20);
    expect(new Set([...dialled, ...taken]).size).toBe(220);
    expect(await doubleClaims(t.app)).toEqual([]);
  });
});
