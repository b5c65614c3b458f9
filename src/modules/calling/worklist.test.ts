import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import {
  createCustomer,
  createLoan,
  customerPhone,
  daysAgo,
  type Headers,
  LONG_SESSION_ENV,
  staffSessions,
} from "../../../test/support/crm.js";

// Monday 15 June 2026, 10:00 in Algiers.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
let t: TestApp;
let as: Awaited<ReturnType<typeof staffSessions>>;
const names: Record<string, string> = {};
let seq = 0;

async function debtor(key: string, dpd: number, overdue: string, extra: Record<string, unknown> = {}) {
  const phone = customerPhone();
  const c = await createCustomer(t.app, as.supervisor.headers, { phone, fullName: `Worklist ${key}`, ...extra });
  if (dpd >= 0)
    await createLoan(t.app, as.supervisor.headers, c.id, {
      amountOverdue: overdue,
      nextDueDate: daysAgo(clock.now(), dpd),
    });
  names[key] = c.fullName;
  return { phone, id: c.id };
}
const postCall = (phone: string, payload: Record<string, unknown>) =>
  t.app.inject({
    method: "POST",
    url: "/api/crm/post-call",
    headers: as.agent.headers,
    payload: {
      callId: `WL-${++seq}`,
      phone,
      direction: "outbound",
      startedAt: clock.now().toISOString(),
      durationSeconds: 20,
      ...payload,
    },
  });
const worklist = async (headers: Headers = as.agent.headers, query = "") => {
  const res = await t.app.inject({ method: "GET", url: `/api/crm/worklist${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { data: { fullName: string; reason: string; why: string; phone: string }[] };
};

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...LONG_SESSION_ENV, PROMISE_GRACE_DAYS: "2" }, { clock });
  as = await staffSessions(t.app);
  await debtor("small", 10, "5500.00");
  await debtor("big", 90, "20000.00");
  await debtor("medium", 40, "11000.00");
  await debtor("dnc", 100, "50000.00", { doNotCall: true });
  await debtor("paidUp", -1, "0");
  const exhausted = await debtor("exhausted", 60, "30000.00");
  for (const disposition of ["no_answer", "busy", "voicemail"]) await postCall(exhausted.phone, { disposition });
  const disputed = await debtor("disputed", 70, "30000.00");
  await postCall(disputed.phone, { disposition: "dispute" });
  // Asked to be called back at 11:00 (now is 10:00): not due yet, so not on the list now.
  const callback = await debtor("callback", 5, "1000.00");
  await postCall(callback.phone, { disposition: "callback_requested", callbackAt: "2026-06-15T10:00:00Z" });
  // Promised 2,000 by 10 June; with 2 grace days it was broken on the 13th.
  const promise = await debtor("promise", 20, "4000.00");
  clock.set(new Date("2026-06-08T09:00:00Z"));
  await postCall(promise.phone, { disposition: "promise_to_pay", promiseAmount: "2000", promiseDate: "2026-06-10" });
  clock.set(new Date("2026-06-15T09:00:00Z"));
});
afterAll(async () => t.close());

describe("GET /api/crm/worklist", () => {
  it("lists only callable customers who owe money, with why", async () => {
    const { data } = await worklist();
    const listed = data.map((r) => r.fullName);
    expect(listed).toEqual([names.promise, names.big, names.medium, names.small]);
    expect(data[0]).toMatchObject({ reason: "broken_promise", why: expect.stringContaining("broken") });
    expect(data[1]).toMatchObject({ reason: "overdue", why: "90 days past due, 20000.00 overdue" });
    for (const excluded of ["dnc", "paidUp", "exhausted", "disputed", "callback"])
      expect(listed).not.toContain(names[excluded]);
  });

  it("puts a callback that has come due first", async () => {
    clock.set(new Date("2026-06-15T10:30:00Z"));
    const { data } = await worklist();
    expect(data[0]).toMatchObject({ fullName: names.callback, reason: "callback_due" });
    expect(data[1]?.reason).toBe("broken_promise");
    clock.set(new Date("2026-06-15T09:00:00Z"));
  });

  it("is empty outside the call window and respects the limit", async () => {
    clock.set(new Date("2026-06-15T20:30:00Z"));
    expect((await worklist()).data).toEqual([]);
    clock.set(new Date("2026-06-15T09:00:00Z"));
    expect((await worklist(as.agent.headers, "?limit=2")).data).toHaveLength(2);
    expect(
      (await t.app.inject({ method: "GET", url: "/api/crm/worklist?limit=500", headers: as.agent.headers })).statusCode,
    ).toBe(400);
  });

  it("accepts an API key with worklist:read only", async () => {
    const key = async (scopes: string[]) =>
      (
        await t.app.inject({
          method: "POST",
          url: "/api/admin/api-keys",
          headers: as.admin.headers,
          payload: { name: "bot", scopes },
        })
      ).json().key;
    expect(
      (
        await t.app.inject({
          method: "GET",
          url: "/api/crm/worklist",
          headers: { "x-api-key": await key(["precall:read"]) },
        })
      ).statusCode,
    ).toBe(403);
    expect((await worklist({ "x-api-key": await key(["worklist:read"]) })).data.length).toBeGreaterThan(0);
  });
});
