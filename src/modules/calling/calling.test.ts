import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerInteractions, loans, paymentPromises } from "../../db/schema/index.js";
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
let callSeq = 0;

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...LONG_SESSION_ENV }, { clock });
  as = await staffSessions(t.app);
});
afterAll(async () => t.close());

async function debtor(extra: Record<string, unknown> = {}) {
  const phone = customerPhone();
  const c = await createCustomer(t.app, as.supervisor.headers, { phone, ...extra });
  const loan = await createLoan(t.app, as.supervisor.headers, c.id, {
    amountOverdue: "11000.00",
    nextDueDate: daysAgo(clock.now(), 40),
  });
  return { customer: c, loan, phone };
}

const preCall = (phone: string, headers: Headers = as.agent.headers) =>
  t.app.inject({ method: "GET", url: `/api/crm/pre-call?phone=${encodeURIComponent(phone)}`, headers });
const postCall = (payload: Record<string, unknown>, headers: Headers = as.agent.headers) =>
  t.app.inject({
    method: "POST",
    url: "/api/crm/post-call",
    headers,
    payload: {
      callId: `CALL-${++callSeq}-${Date.now()}`,
      direction: "outbound",
      startedAt: clock.now().toISOString(),
      durationSeconds: 60,
      ...payload,
    },
  });

describe("pre-call", () => {
  it("answers for the number in any format, and for the alternative number", async () => {
    const { customer, loan } = await debtor({ phone: "0661 77 66 55", altPhone: "0770 55 44 33" });
    for (const phone of ["0661 77 66 55", "+213661776655", "213661776655", "0770554433"]) {
      const res = await preCall(phone);
      expect(res.statusCode, phone).toBe(200);
      expect(res.json().customer.id).toBe(customer.id);
    }
    const body = (await preCall("0661776655")).json();
    expect(body.loans).toEqual([
      expect.objectContaining({
        id: loan.id,
        daysPastDue: 40,
        bucket: "31-60",
        amountOverdue: "11000.00",
        collectionStatus: "in_collection",
      }),
    ]);
    expect(body.summary).toEqual({
      totalOutstanding: "90000.00",
      totalOverdue: "11000.00",
      maxDaysPastDue: 40,
      lastPayment: null,
      openPromises: 0,
      brokenPromisesLast90Days: 0,
    });
    expect(body.recentInteractions).toEqual([]);
    expect(body.eligibility).toEqual({ canCall: true, reasons: [], nextEligibleAt: clock.now().toISOString() });
  });

  it("404 CUSTOMER_NOT_FOUND for an unknown number, 400 INVALID_PHONE for garbage", async () => {
    const unknown = await preCall("0661 00 00 00");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("CUSTOMER_NOT_FOUND");
    const bad = await preCall("12345");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("INVALID_PHONE");
  });

  it("shows the last payment, the latest 10 interactions with the agent's name", async () => {
    const { loan, phone } = await debtor();
    await t.app.inject({
      method: "POST",
      url: `/api/loans/${loan.id}/payments`,
      headers: as.supervisor.headers,
      payload: { amount: "2500", paidAt: "2026-06-10T10:00:00Z", method: "cash", reference: "R1" },
    });
    for (let i = 0; i < 12; i++)
      await postCall({ phone, disposition: "no_answer", startedAt: `2026-06-0${(i % 9) + 1}T1${i % 10}:00:00Z` });
    const body = (await preCall(phone)).json();
    expect(body.summary.lastPayment).toEqual({ amount: "2500.00", paidAt: "2026-06-10T10:00:00.000Z" });
    expect(body.recentInteractions).toHaveLength(10);
    expect(body.recentInteractions[0]).toMatchObject({
      agentName: as.agent.name,
      disposition: "no_answer",
      channel: "call",
    });
  });
});

describe("post-call dispositions", () => {
  it("promise_to_pay: amount > 0 and a date within PROMISE_MAX_DAYS; pending promise, loan promise_to_pay", async () => {
    const { loan, phone } = await debtor();
    expect(
      (await postCall({ phone, disposition: "promise_to_pay", promiseAmount: "0", promiseDate: "2026-06-20" })).json()
        .error.details[0].path,
    ).toBe("/promiseAmount");
    expect(
      (await postCall({ phone, disposition: "promise_to_pay", promiseAmount: "5000" })).json().error.details[0].path,
    ).toBe("/promiseDate");
    expect(
      (await postCall({ phone, disposition: "promise_to_pay", promiseAmount: "5000", promiseDate: "2026-07-16" }))
        .statusCode,
    ).toBe(400);
    expect(
      (await postCall({ phone, disposition: "promise_to_pay", promiseAmount: "5000", promiseDate: "2026-06-14" }))
        .statusCode,
    ).toBe(400);
    const res = await postCall({
      phone,
      disposition: "promise_to_pay",
      promiseAmount: "5000",
      promiseDate: "2026-07-15",
      notes: "Paiera au CCP",
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.interaction).toMatchObject({
      disposition: "promise_to_pay",
      agentId: as.agent.userId,
      loanId: loan.id,
      notes: "Paiera au CCP",
    });
    expect(body.promise).toMatchObject({
      loanId: loan.id,
      amount: "5000.00",
      dueDate: "2026-07-15",
      status: "pending",
    });
    expect(body.eligibility).toMatchObject({ canCall: false, reasons: ["PROMISE_PENDING"] });
    const [stored] = await t.app.database.db.select().from(loans).where(eq(loans.id, loan.id));
    expect(stored?.collectionStatus).toBe("promise_to_pay");
    expect((await preCall(phone)).json().summary.openPromises).toBe(1);
  });

  it("callback_requested needs callbackAt and blocks until then", async () => {
    const { phone } = await debtor();
    expect((await postCall({ phone, disposition: "callback_requested" })).json().error.details[0].path).toBe(
      "/callbackAt",
    );
    const callbackAt = "2026-06-15T15:00:00.000Z";
    const res = await postCall({ phone, disposition: "callback_requested", callbackAt });
    expect(res.json().eligibility).toEqual({
      canCall: false,
      reasons: ["CALLBACK_SCHEDULED"],
      nextEligibleAt: callbackAt,
    });
  });

  it("dispute opens a dispute on the loan: never callable on its own", async () => {
    const { loan, phone } = await debtor();
    const res = await postCall({ phone, disposition: "dispute", loanId: loan.id });
    expect(res.json().eligibility).toEqual({ canCall: false, reasons: ["DISPUTE_OPEN"], nextEligibleAt: null });
    const [stored] = await t.app.database.db.select().from(loans).where(eq(loans.id, loan.id));
    expect(stored?.collectionStatus).toBe("dispute");
  });

  it("do_not_call (and deceased) set the customer's do-not-call", async () => {
    for (const disposition of ["do_not_call", "deceased"]) {
      const { customer, phone } = await debtor();
      const res = await postCall({ phone, disposition });
      expect(res.json().eligibility.reasons).toContain("DO_NOT_CALL");
      const detail = (
        await t.app.inject({ method: "GET", url: `/api/customers/${customer.id}`, headers: as.agent.headers })
      ).json();
      expect(detail.doNotCall).toBe(true);
    }
  });

  it("wrong_number flags the number dialled; the other number stays callable", async () => {
    const alt = customerPhone();
    const { phone } = await debtor({ altPhone: alt });
    await postCall({ phone, disposition: "wrong_number" });
    expect((await preCall(phone)).json().eligibility).toMatchObject({
      canCall: false,
      reasons: ["WRONG_NUMBER"],
      nextEligibleAt: null,
    });
    const fromAlt = (await preCall(alt)).json();
    expect(fromAlt.eligibility.canCall).toBe(true);
    // Every number of the customer is listed with its flag, so the agent sees which one is wrong.
    expect(fromAlt.phones).toEqual([
      { number: phone, kind: "primary", wrongNumber: true },
      { number: alt, kind: "alternate", wrongNumber: false },
    ]);
  });

  it("unanswered attempts count towards the daily limit", async () => {
    const { phone } = await debtor();
    for (const disposition of ["no_answer", "busy", "voicemail"])
      expect((await postCall({ phone, disposition })).statusCode).toBe(201);
    expect((await preCall(phone)).json().eligibility).toMatchObject({
      canCall: false,
      reasons: ["DAILY_ATTEMPT_LIMIT"],
      nextEligibleAt: "2026-06-16T07:00:00.000Z",
    });
  });

  it("paid and refused_to_pay are recorded without side effects; unknown dispositions are refused", async () => {
    const { phone } = await debtor();
    for (const disposition of ["paid", "refused_to_pay"])
      expect((await postCall({ phone, disposition })).statusCode).toBe(201);
    const bad = await postCall({ phone, disposition: "abducted_by_aliens" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe("/disposition");
    expect((await postCall({ phone: "0661 00 00 01", disposition: "busy" })).json().error.code).toBe(
      "CUSTOMER_NOT_FOUND",
    );
    expect((await postCall({ disposition: "busy" })).statusCode).toBe(400);
  });
});

describe("post-call idempotency", () => {
  it("the same callId returns the first result with 200 and writes nothing; another body is 409", async () => {
    const { customer, phone } = await debtor();
    const payload = {
      callId: "DIALER-42",
      phone,
      direction: "outbound",
      startedAt: "2026-06-15T08:30:00Z",
      durationSeconds: 120,
      disposition: "promise_to_pay",
      promiseAmount: "3000",
      promiseDate: "2026-06-25",
    };
    const first = await t.app.inject({ method: "POST", url: "/api/crm/post-call", headers: as.agent.headers, payload });
    expect(first.statusCode).toBe(201);
    const again = await t.app.inject({
      method: "POST",
      url: "/api/crm/post-call",
      headers: as.agent.headers,
      payload: { ...payload },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().interaction.id).toBe(first.json().interaction.id);
    expect(again.json().promise.id).toBe(first.json().promise.id);
    const rows = await t.app.database.db
      .select()
      .from(customerInteractions)
      .where(eq(customerInteractions.customerId, customer.id));
    expect(rows).toHaveLength(1);
    expect(
      await t.app.database.db.select().from(paymentPromises).where(eq(paymentPromises.customerId, customer.id)),
    ).toHaveLength(1);
    const conflict = await t.app.inject({
      method: "POST",
      url: "/api/crm/post-call",
      headers: as.agent.headers,
      payload: { ...payload, promiseAmount: "4000" },
    });
    expect(conflict.statusCode).toBe(409);
  });

  it("concurrent deliveries of one call record it once", async () => {
    const { customer, phone } = await debtor();
    const payload = {
      callId: "DIALER-RACE",
      phone,
      direction: "outbound",
      startedAt: "2026-06-15T08:30:00Z",
      durationSeconds: 5,
      disposition: "busy",
    };
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        t.app.inject({ method: "POST", url: "/api/crm/post-call", headers: as.agent.headers, payload }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(
      await t.app.database.db
        .select()
        .from(customerInteractions)
        .where(eq(customerInteractions.customerId, customer.id)),
    ).toHaveLength(1);
  });
});

describe("integration keys", () => {
  it("admins create keys shown once; scopes are enforced; revoked keys stop working", async () => {
    const create = (scopes: string[], headers: Headers = as.admin.headers) =>
      t.app.inject({
        method: "POST",
        url: "/api/admin/api-keys",
        headers,
        payload: { name: `Dialer ${scopes.join("+")}`, scopes },
      });
    expect((await create(["precall:read"], as.supervisor.headers)).statusCode).toBe(403);
    const readOnly = (await create(["precall:read"])).json();
    expect(readOnly.key).toMatch(/^crm_/);
    const writer = (await create(["precall:read", "postcall:write"])).json();
    const { phone, customer } = await debtor();

    expect((await preCall(phone, { "x-api-key": readOnly.key })).statusCode).toBe(200);
    expect((await preCall(phone, { authorization: `Bearer ${readOnly.key}` })).statusCode).toBe(200);
    const denied = await postCall({ phone, disposition: "busy" }, { "x-api-key": readOnly.key });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe("FORBIDDEN");
    const written = await postCall({ phone, disposition: "busy" }, { "x-api-key": writer.key });
    expect(written.statusCode).toBe(201);
    expect(written.json().interaction).toMatchObject({ agentId: null, apiKeyId: writer.id });
    const [row] = await t.app.database.db
      .select()
      .from(customerInteractions)
      .where(eq(customerInteractions.customerId, customer.id));
    expect(row?.apiKeyId).toBe(writer.id);

    const list = await t.app.inject({ method: "GET", url: "/api/admin/api-keys", headers: as.admin.headers });
    expect(list.body).not.toContain(readOnly.key);
    expect(list.json().data.find((k: { id: string }) => k.id === readOnly.id).lastUsedAt).toEqual(expect.any(String));
    expect(
      (await t.app.inject({ method: "DELETE", url: `/api/admin/api-keys/${readOnly.id}`, headers: as.admin.headers }))
        .statusCode,
    ).toBe(200);
    expect((await preCall(phone, { "x-api-key": readOnly.key })).statusCode).toBe(401);
    expect((await preCall(phone, { "x-api-key": "crm_not-a-key" })).statusCode).toBe(401);
  });
});
