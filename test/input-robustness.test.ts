import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createStaff, signIn, STRONG_PASSWORD } from "./support/accounts.js";
import { createCustomer, createLoan, useCrmTestApp } from "./support/crm.js";
import { systemClock } from "../src/lib/clock.js";

const ctx = useCrmTestApp(systemClock);

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

function expectErrorShape(body: unknown, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) }, requestId: expect.any(String) });
}

describe("strings PostgreSQL cannot store are a 400 naming the field", () => {
  const NUL = "ab\u0000cd";
  const LONE = "ab\ud800cd";

  it("in JSON bodies, on public, signed-in and legacy routes", async () => {
    const { app, as } = ctx;
    const staff = await createStaff(app, { phone: null });
    const session = await signIn(app, staff.email);
    const cases = [
      {
        method: "POST",
        url: "/api/auth/login",
        payload: { emailOrPhone: NUL, password: STRONG_PASSWORD },
        path: "/emailOrPhone",
      },
      { method: "POST", url: "/login", payload: { email: `a${NUL}@x.dz`, password: STRONG_PASSWORD }, path: "/email" },
      { method: "PUT", url: "/api/auth/profile", payload: { name: NUL }, path: "/name", headers: session.auth },
      { method: "PUT", url: "/update-profile", payload: { name: LONE }, path: "/name", headers: session.auth },
      {
        method: "POST",
        url: "/api/customers",
        payload: { fullName: NUL, phone: "0661234567" },
        path: "/fullName",
        headers: as.supervisor.headers,
      },
      {
        method: "POST",
        url: "/api/customers",
        payload: { fullName: "X", phone: "0661234567", [`k${NUL}`]: 1 },
        path: "/kab\ufffdcd",
        headers: as.supervisor.headers,
      },
      {
        method: "POST",
        url: "/api/customers",
        payload: { fullName: "X", notes: ["ok", LONE] },
        path: "/notes/1",
        headers: as.supervisor.headers,
      },
    ] as const;
    for (const c of cases) {
      const res = await app.inject({
        method: c.method,
        url: c.url,
        payload: c.payload,
        headers: "headers" in c ? c.headers : {},
      });
      expect(res.statusCode, `${c.method} ${c.url}`).toBe(400);
      expectErrorShape(res.json(), "VALIDATION_ERROR");
      expect(res.json().error.details[0].path, `${c.method} ${c.url}`).toBe(c.path);
    }
  });

  it("in query parameters and path parameters", async () => {
    const { app, as } = ctx;
    for (const url of [
      "/api/customers?q=%00",
      "/api/customers?city=Oran%00",
      "/api/interactions?disposition=x%00y",
      "/api/crm/pre-call?phone=0661%00",
      "/api/admin/audit-logs?action=a%00",
    ]) {
      const res = await app.inject({ method: "GET", url, headers: as.admin.headers });
      expect(res.statusCode, url).toBe(400);
      expectErrorShape(res.json(), "VALIDATION_ERROR");
      expect(res.json().error.details[0].path, url).toMatch(/^\/(q|city|disposition|phone|action)$/);
    }
    const res = await app.inject({ method: "GET", url: "/api/customers/%00", headers: as.admin.headers });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe("/id");
  });
});

describe("JSON bodies", () => {
  it("nested deeper than 32 levels → 400 (5,000 deep no longer overflows the stack)", async () => {
    const { app, as } = ctx;
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const payload = `{"callId":"deep-1","customerId":"00000000-0000-0000-0000-000000000000","direction":"outbound","startedAt":"2026-01-01T10:00:00Z","durationSeconds":1,"disposition":"no_answer","dispositionTrace":${deep}}`;
    const res = await app.inject({
      method: "POST",
      url: "/api/crm/post-call",
      headers: { ...as.agent.headers, "content-type": "application/json" },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.json(), "VALIDATION_ERROR");
    expect(res.json().error.details[0].message).toMatch(/deeper than 32/);
  });

  it("text/plain and form bodies → 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const { app } = ctx;
    for (const [type, payload] of [
      ["text/plain", '{"emailOrPhone":"a@b.dz","password":"x"}'],
      ["application/x-www-form-urlencoded", "emailOrPhone=a%40b.dz&password=x"],
      ["multipart/form-data; boundary=x", "--x--"],
    ] as const) {
      const res = await app.inject({
        method: "POST",
        url: "/api/auth/login",
        headers: { "content-type": type },
        payload,
      });
      expect(res.statusCode, type).toBe(415);
      expectErrorShape(res.json(), "UNSUPPORTED_MEDIA_TYPE");
    }
  });
});

describe("cursors are validated by one codec", () => {
  it("a crafted cursor → 400 INVALID_CURSOR on every paginated list", async () => {
    const { app, as } = ctx;
    const customer = await createCustomer(app, as.supervisor.headers);
    const loan = await createLoan(app, as.supervisor.headers, customer.id);
    const lists = [
      "/api/loans",
      "/api/interactions",
      `/api/loans/${loan.id}/payments`,
      "/api/admin/users",
      "/api/customers",
      "/api/customers?sort=daysPastDue",
      "/api/customers?sort=amountOverdue",
      "/api/customers?sort=createdAt",
      "/api/admin/audit-logs",
      "/api/admin/login-history",
      `/api/customers/${customer.id}/interactions`,
    ];
    for (const list of lists) {
      for (const cursor of [
        cursorOf(["garbage", "x"]),
        cursorOf([null, null]),
        cursorOf(["2026-01-01T00:00:00.000Z"]),
        "!!!",
        cursorOf(["x"]),
      ]) {
        const url = `${list}${list.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`;
        const res = await app.inject({ method: "GET", url, headers: as.admin.headers });
        expect(res.statusCode, url).toBe(400);
        expectErrorShape(res.json(), "INVALID_CURSOR");
      }
    }
  });

  it("a genuine cursor still pages", async () => {
    const { app, as } = ctx;
    await createCustomer(app, as.supervisor.headers);
    await createCustomer(app, as.supervisor.headers);
    for (const sort of ["name", "createdAt", "daysPastDue", "amountOverdue"]) {
      const first = await app.inject({
        method: "GET",
        url: `/api/customers?limit=1&sort=${sort}`,
        headers: as.agent.headers,
      });
      const next = first.json().page.nextCursor as string;
      expect(next).toBeTruthy();
      const second = await app.inject({
        method: "GET",
        url: `/api/customers?limit=1&sort=${sort}&cursor=${next}`,
        headers: as.agent.headers,
      });
      expect(second.statusCode, sort).toBe(200);
      expect(second.json().data[0].id).not.toBe(first.json().data[0].id);
    }
  });
});

describe("unknown query parameters", () => {
  it("are refused with 400 naming them, on every route", async () => {
    const { app, as } = ctx;
    const res = await app.inject({
      method: "GET",
      url: `/api/admin/login-history?userId=${as.agent.userId}`,
      headers: as.admin.headers,
    });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.json(), "VALIDATION_ERROR");
    expect(res.json().error.details).toEqual([{ path: "/userId", message: "is not a query parameter of this route" }]);
    expect(res.json().error.message).toContain("userId");

    // Routes that declare no query string at all refuse one too.
    const health = await app.inject({ method: "GET", url: "/health?verbose=1" });
    expect(health.statusCode).toBe(400);
    const me = await app.inject({ method: "GET", url: "/api/auth/me?x=1&y=2", headers: as.agent.headers });
    expect(me.statusCode).toBe(400);
    expect(me.json().error.details.map((d: { path: string }) => d.path)).toEqual(["/x", "/y"]);

    const known = await app.inject({
      method: "GET",
      url: `/api/admin/login-history?user=${as.agent.userId}`,
      headers: as.admin.headers,
    });
    expect(known.statusCode).toBe(200);
  });
});

describe("requests Node refuses before routing", () => {
  it("a 100 kB query string → 431 in the one error shape", async () => {
    const { app } = ctx;
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: `/health?q=${"a".repeat(100_000)}` }, (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(431);
    expectErrorShape(JSON.parse(body), "HEADERS_TOO_LARGE");
  });
});
