import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs } from "../../db/schema/index.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { createStaff, FAST_AUTH_ENV, STRONG_PASSWORD } from "../../../test/support/accounts.js";

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV });
});
afterAll(async () => t.close());

const cookieOf = (setCookie: string | string[] | undefined) => {
  const line = [setCookie ?? []].flat().find((l) => l.startsWith("crm_refresh="));
  return { line, value: line?.split(";")[0]?.slice("crm_refresh=".length) };
};

async function cookieLogin() {
  const { email } = await createStaff(t.app);
  const res = await t.app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { emailOrPhone: email, password: STRONG_PASSWORD, refreshCookie: true },
  });
  expect(res.statusCode).toBe(200);
  return res;
}

describe("the console's refresh cookie", () => {
  it("is HttpOnly, SameSite=Strict, scoped to the refresh route, and keeps the token out of the body", async () => {
    const res = await cookieLogin();
    const { line, value } = cookieOf(res.headers["set-cookie"]);
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).toMatch(/Path=\/api\/auth\/refresh(;|$)/);
    expect(line).not.toMatch(/Secure/); // only in production
    expect(value).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(res.json().refresh).toBeUndefined();
    expect(res.json().token).toBeTruthy();
  });

  it("refreshes from the cookie (body without a token) and rotates it", async () => {
    const first = cookieOf((await cookieLogin()).headers["set-cookie"]).value!;
    const res = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: {},
      headers: { cookie: `other=1; crm_refresh=${first}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().refresh).toBeUndefined();
    const second = cookieOf(res.headers["set-cookie"]).value!;
    expect(second).not.toBe(first);
    const me = await t.app.inject({
      method: "GET",
      url: "/api/auth/me",
      headers: { authorization: `Bearer ${res.json().token}` },
    });
    expect(me.statusCode).toBe(200);
    const again = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: {},
      headers: { cookie: `crm_refresh=${second}` },
    });
    expect(again.statusCode).toBe(200);
  });

  it("is cleared when the server refuses it, and reuse is still detected", async () => {
    const first = cookieOf((await cookieLogin()).headers["set-cookie"]).value!;
    await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: {},
      headers: { cookie: `crm_refresh=${first}` },
    });
    const reused = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: {},
      headers: { cookie: `crm_refresh=${first}` },
    });
    expect(reused.statusCode).toBe(401);
    expect(cookieOf(reused.headers["set-cookie"]).line).toMatch(/^crm_refresh=;.*Max-Age=0/);
    const audit = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "auth.refresh_reuse_detected")));
    expect(audit.length).toBeGreaterThan(0);
  });

  it("without a cookie or a body token is a 400 naming the field; the JSON-body refresh still works", async () => {
    const none = await t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: {} });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details).toEqual([{ path: "/refresh", message: "is required" }]);
    const { email } = await createStaff(t.app);
    const plain = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { emailOrPhone: email, password: STRONG_PASSWORD },
    });
    expect(plain.headers["set-cookie"]).toBeUndefined();
    const res = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh: plain.json().refresh },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().refresh).toBeTruthy();
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("is cleared by logout", async () => {
    const res = await cookieLogin();
    const out = await t.app.inject({
      method: "POST",
      url: "/api/auth/logout",
      headers: { authorization: `Bearer ${res.json().token}` },
    });
    expect(out.statusCode).toBe(200);
    expect(cookieOf(out.headers["set-cookie"]).line).toMatch(/Max-Age=0/);
  });
});
