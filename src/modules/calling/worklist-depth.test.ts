import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { LONG_SESSION_ENV, staffSessions } from "../../../test/support/crm.js";

// Monday 15 June 2026, 10:00 in Algiers.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
let t: TestApp;
let as: Awaited<ReturnType<typeof staffSessions>>;

type Worklist = {
  data: { customerId: string; fullName: string; reason: string }[];
  summary: {
    owing: number;
    callableNow: number;
    blocked: Record<string, number>;
    nextEligibleAt: string | null;
    complete: boolean;
  };
};
const worklist = async (query = "") => {
  const res = await t.app.inject({ method: "GET", url: `/api/crm/worklist${query}`, headers: as.agent.headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Worklist;
};

/**
 * 300 owing customers ranked by days past due × amount: the top 100 have had three call attempts
 * today (uncallable), the 200 below them are callable. Built in SQL: the ranking reads the customer's
 * arrears summary and eligibility reads the call history, which is what matters here.
 */
beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...LONG_SESSION_ENV }, { clock });
  as = await staffSessions(t.app);
  const db = t.app.database.db;
  await db.execute(sql`
    insert into customers (full_name, phone, oldest_due_date, total_overdue, timezone)
    select 'Depth ' || lpad(n::text, 3, '0'), '+21366' || lpad((1000000 + n)::text, 7, '0'), date '2026-03-01', (100000 - n * 100)::numeric, 'Africa/Algiers'
    from generate_series(1, 300) n`);
  await db.execute(sql`
    insert into customer_interactions (customer_id, channel, direction, started_at, disposition)
    select c.id, 'call', 'outbound', timestamptz '2026-06-15T07:00:00Z' + (k || ' minutes')::interval, 'no_answer'
    from customers c cross join generate_series(1, 3) k
    where c.full_name like 'Depth %' and substr(c.full_name, 7)::int <= 100`);
});
afterAll(async () => t.close());

describe("worklist depth", () => {
  it("keeps looking past a round of blocked customers until the page is full", async () => {
    const { data, summary } = await worklist("?limit=50");
    expect(data).toHaveLength(50);
    // The first callable is the best-ranked one below the blocked hundred.
    expect(data[0]?.fullName).toBe("Depth 101");
    expect(data.at(-1)?.fullName).toBe("Depth 150");
    expect(summary).toMatchObject({ owing: 300, callableNow: 50, complete: false });
    expect(summary.blocked.DAILY_ATTEMPT_LIMIT).toBe(100);
  });

  it("with a page as large as the callable rest, walks the whole ranking and counts the blocked", async () => {
    const { data, summary } = await worklist("?limit=200");
    expect(data).toHaveLength(200);
    const more = await worklist("?limit=200");
    expect(more.summary.blocked).toEqual({ DAILY_ATTEMPT_LIMIT: 100 });
    // The blocked hundred may be called again when tomorrow's window opens (08:00 in Algiers).
    expect(summary.nextEligibleAt).toBe("2026-06-16T07:00:00.000Z");
  });

  it("an empty worklist explains itself: outside the call window, when it opens", async () => {
    clock.set(new Date("2026-06-16T05:40:00Z")); // 06:40 in Algiers
    const { data, summary } = await worklist();
    expect(data).toEqual([]);
    expect(summary).toMatchObject({
      owing: 300,
      callableNow: 0,
      complete: true,
      nextEligibleAt: "2026-06-16T07:00:00.000Z",
    });
    expect(summary.blocked.OUTSIDE_CALL_WINDOW).toBe(300);
    clock.set(new Date("2026-06-15T09:00:00Z"));
  });
});
