import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLogs } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createCustomer, createLoan, daysAgo, type Headers, useCrmTestApp } from "../../../test/support/crm.js";

// 10:00 in Algiers: no timezone lands on another calendar day than the UTC date used in fixtures.
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const ctx = useCrmTestApp(clock);

const get = (url: string, headers: Headers = ctx.as.agent.headers) => ctx.app.inject({ method: "GET", url, headers });

describe("customers: create, read, update, delete", () => {
  it("creates with a normalised phone and returns the object itself, with version and arrears fields", async () => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/customers",
      headers: ctx.as.supervisor.headers,
      payload: {
        fullName: "Fatima Zohra Benali",
        phone: "0550 12 34 56",
        altPhone: "021 23 45 67",
        email: "F.Benali@Mail.dz",
        monthlyIncome: "65000",
        externalRef: "CRM-1001",
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      fullName: "Fatima Zohra Benali",
      phone: "+213550123456",
      altPhone: "+21321234567",
      email: "f.benali@mail.dz",
      monthlyIncome: "65000.00",
      timezone: "Africa/Algiers",
      doNotCall: false,
      totalOverdue: "0.00",
      daysPastDue: 0,
      bucket: "current",
      version: 1,
    });
    expect(res.headers.etag).toBe('"1"');
  });

  it("rejects an invalid phone, email or timezone with 400 naming the field", async () => {
    const bad = async (payload: Record<string, unknown>) =>
      (
        await ctx.app.inject({
          method: "POST",
          url: "/api/customers",
          headers: ctx.as.supervisor.headers,
          payload: { fullName: "X", phone: "0550123456", ...payload },
        })
      ).json().error;
    expect(await bad({ phone: "12345" })).toMatchObject({ code: "INVALID_PHONE", details: [{ path: "/phone" }] });
    expect((await bad({ email: "nope" })).details[0].path).toBe("/email");
    expect(await bad({ timezone: "Mars/Olympus" })).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ path: "/timezone" }],
    });
    expect((await bad({ monthlyIncome: "12.345" })).details[0].path).toBe("/monthlyIncome");
  });

  it("a duplicate external ref is 409 naming the field", async () => {
    await createCustomer(ctx.app, ctx.as.supervisor.headers, { externalRef: "DUP-1" });
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/customers",
      headers: ctx.as.supervisor.headers,
      payload: { fullName: "Y", phone: "0550000001", externalRef: "DUP-1" },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details).toEqual([{ path: "/externalRef", message: "already exists" }]);
  });

  it("GET /:id returns the customer with loans, days past due, bucket and summary", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const now = clock.now();
    await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
      amountOverdue: "11000.00",
      nextDueDate: daysAgo(now, 45),
    });
    await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, { nextDueDate: daysAgo(now, -10) });
    const res = await get(`/api/customers/${c.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.loans).toHaveLength(2);
    expect(body.loans.map((l: { bucket: string }) => l.bucket).sort()).toEqual(["31-60", "current"]);
    expect(body).toMatchObject({ daysPastDue: 45, bucket: "31-60", totalOverdue: "11000.00" });
    expect(body.summary).toEqual({
      loanCount: 2,
      openLoans: 2,
      totalOutstanding: "180000.00",
      totalOverdue: "11000.00",
      maxDaysPastDue: 45,
    });
    const overdueLoan = body.loans.find((l: { bucket: string }) => l.bucket === "31-60");
    expect(overdueLoan).toMatchObject({
      daysPastDue: 45,
      missedInstallments: 2,
      paymentStatus: "overdue",
      collectionStatus: "in_collection",
    });
  });

  it("derives days past due from today, never stored: tomorrow it is one more", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    await createLoan(ctx.app, ctx.as.supervisor.headers, c.id, {
      amountOverdue: "5500.00",
      nextDueDate: daysAgo(clock.now(), 30),
    });
    expect((await get(`/api/customers/${c.id}`)).json()).toMatchObject({ daysPastDue: 30, bucket: "1-30" });
    // 20 hours later it is the next morning in Algiers (and tokens are still valid).
    clock.advance(20 * 3_600_000);
    expect((await get(`/api/customers/${c.id}`)).json()).toMatchObject({ daysPastDue: 31, bucket: "31-60" });
    clock.advance(-20 * 3_600_000);
  });

  it("PATCH needs the version; a stale one is 409 VERSION_CONFLICT with the current record", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const patch = (payload: Record<string, unknown>, headers: Headers = {}) =>
      ctx.app.inject({
        method: "PATCH",
        url: `/api/customers/${c.id}`,
        headers: { ...ctx.as.supervisor.headers, ...headers },
        payload,
      });
    const missing = await patch({ city: "Sétif" });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe("/version");
    const first = await patch({ city: "Sétif", version: 1 });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ city: "Sétif", version: 2 });
    const stale = await patch({ city: "Batna", version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({
      code: "VERSION_CONFLICT",
      current: { city: "Sétif", version: 2 },
      // Who made the change that won, and when: the console explains the conflict with it.
      changedBy: { id: ctx.as.supervisor.userId, name: ctx.as.supervisor.name },
    });
    const viaIfMatch = await patch({ city: "Batna" }, { "if-match": '"2"' });
    expect(viaIfMatch.json()).toMatchObject({ city: "Batna", version: 3 });
    const audits = await ctx.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "customer.updated"), eq(auditLogs.entityId, c.id)));
    expect(audits).toHaveLength(2);
    expect(audits[0]?.details).toEqual({ changes: { city: { from: "Oran", to: "Sétif" } } });
  });

  it("two concurrent PATCHes at one version: exactly one wins", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    const results = await Promise.all(
      ["Annaba", "Blida"].map((city) =>
        ctx.app.inject({
          method: "PATCH",
          url: `/api/customers/${c.id}`,
          headers: ctx.as.supervisor.headers,
          payload: { city, version: 1 },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
  });

  it("DELETE is for admins and refused while loans exist", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    await createLoan(ctx.app, ctx.as.supervisor.headers, c.id);
    expect(
      (await ctx.app.inject({ method: "DELETE", url: `/api/customers/${c.id}`, headers: ctx.as.supervisor.headers }))
        .statusCode,
    ).toBe(403);
    const refused = await ctx.app.inject({
      method: "DELETE",
      url: `/api/customers/${c.id}`,
      headers: ctx.as.admin.headers,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: "CONFLICT", loanCount: 1 });
    const bare = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    expect(
      (await ctx.app.inject({ method: "DELETE", url: `/api/customers/${bare.id}`, headers: ctx.as.admin.headers }))
        .statusCode,
    ).toBe(200);
    expect((await get(`/api/customers/${bare.id}`)).statusCode).toBe(404);
    const audits = await ctx.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "customer.deleted"), eq(auditLogs.entityId, bare.id)));
    expect(audits).toHaveLength(1);
  });

  it("roles: agents read but cannot create or edit; unknown ids are 404; bad ids 400", async () => {
    const c = await createCustomer(ctx.app, ctx.as.supervisor.headers);
    expect((await get(`/api/customers/${c.id}`)).statusCode).toBe(200);
    const create = await ctx.app.inject({
      method: "POST",
      url: "/api/customers",
      headers: ctx.as.agent.headers,
      payload: { fullName: "X", phone: "0550000009" },
    });
    expect(create.statusCode).toBe(403);
    const patch = await ctx.app.inject({
      method: "PATCH",
      url: `/api/customers/${c.id}`,
      headers: ctx.as.agent.headers,
      payload: { city: "X", version: 1 },
    });
    expect(patch.statusCode).toBe(403);
    expect((await get("/api/customers/00000000-0000-4000-8000-000000000000")).statusCode).toBe(404);
    expect((await get("/api/customers/not-a-uuid")).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: "GET", url: "/api/customers" })).statusCode).toBe(401);
  });
});
