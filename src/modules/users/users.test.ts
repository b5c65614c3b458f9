import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, users } from "../../db/schema/index.js";
import { authOf } from "../auth/request.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { createStaff, FAST_AUTH_ENV, login, STRONG_PASSWORD, signIn } from "../../../test/support/accounts.js";

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV });
  // A route behind each role, to prove the guard through real requests.
  for (const role of ["agent", "supervisor", "admin"] as const) {
    t.app.get(`/test/only-${role}`, { onRequest: [t.app.authenticate, t.app.requireRole(role)] }, async (request) => ({
      role: authOf(request).role,
    }));
  }
});
afterAll(async () => t.close());

const register = (payload: Record<string, unknown>) =>
  t.app.inject({ method: "POST", url: "/api/auth/register", payload });
const auditCount = async (action: string, entityId: string) =>
  (
    await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, action), eq(auditLogs.entityId, entityId)))
  ).length;

describe("registration", () => {
  it("creates an agent, normalising email and phone", async () => {
    const res = await register({
      email: "Lina.H@Example.DZ",
      password: STRONG_PASSWORD,
      name: "Lina H",
      phone: "0661 99 88 77",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      message: "User registered successfully",
      user: {
        id: expect.any(String),
        email: "lina.h@example.dz",
        phone: "+213661998877",
        name: "Lina H",
        role: "agent",
        emailVerified: false,
      },
      verificationEmailSent: true,
    });
    expect(await auditCount("auth.register", res.json().user.id)).toBe(1);
    expect((await login(t.app, "0661998877", STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it("refuses a duplicate email (any case) or phone with 409 naming the field", async () => {
    await register({ email: "dup@example.dz", password: STRONG_PASSWORD, name: "A", phone: "+213661555001" });
    const email = await register({ email: "DUP@example.dz", password: STRONG_PASSWORD, name: "B" });
    expect(email.statusCode).toBe(409);
    expect(email.json().error.details).toEqual([{ path: "/email", message: "already exists" }]);
    const phone = await register({
      email: "other@example.dz",
      password: STRONG_PASSWORD,
      name: "C",
      phone: "0661555001",
    });
    expect(phone.statusCode).toBe(409);
    expect(phone.json().error.details).toEqual([{ path: "/phone", message: "already exists" }]);
  });

  it("rejects weak, short and over-long passwords with the reason", async () => {
    const common = await register({ email: "w1@example.dz", password: "password123", name: "W" });
    expect(common.statusCode).toBe(400);
    expect(common.json().error.details[0]).toMatchObject({
      path: "/password",
      message: expect.stringContaining("too easy to guess"),
    });
    const short = await register({ email: "w2@example.dz", password: "Ab1-x", name: "W" });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details[0].path).toBe("/password");
    const long = await register({ email: "w3@example.dz", password: "x".repeat(129), name: "W" });
    expect(long.statusCode).toBe(400);
    const ownName = await register({
      email: "mohamed.benali@example.dz",
      password: "mohamedbenali",
      name: "Mohamed Benali",
    });
    expect(ownName.statusCode).toBe(400);
  });

  it("accepts only Mobilis mobiles under PHONE_POLICY=mobilis, saying which prefixes", async () => {
    const djezzy = await register({
      email: "dj@example.dz",
      password: STRONG_PASSWORD,
      name: "D",
      phone: "0771 23 45 67",
    });
    expect(djezzy.statusCode).toBe(400);
    expect(djezzy.json().error.code).toBe("INVALID_PHONE");
    expect(djezzy.json().error.message).toContain("+21366");
    const garbage = await register({ email: "g@example.dz", password: STRONG_PASSWORD, name: "G", phone: "12345" });
    expect(garbage.json().error.code).toBe("INVALID_PHONE");
  });

  it("rejects a malformed email with a validation error", async () => {
    const res = await register({ email: "not-an-email", password: STRONG_PASSWORD, name: "X" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe("/email");
  });
});

describe("registration policies", () => {
  it("PHONE_POLICY=any accepts any mobile but not a landline; REGISTRATION=closed creates nothing (202)", async () => {
    const any = await buildTestApp({ ...FAST_AUTH_ENV, PHONE_POLICY: "any", REGISTRATION: "closed" });
    try {
      const closed = await any.app.inject({
        method: "POST",
        url: "/api/auth/register",
        payload: { email: "c@example.dz", password: STRONG_PASSWORD, name: "C" },
      });
      expect(closed.statusCode).toBe(202);
      expect(closed.json()).toEqual({ message: "Registration received" });
      expect(
        (
          await any.app.inject({
            method: "POST",
            url: "/api/auth/login",
            payload: { email: "c@example.dz", password: STRONG_PASSWORD },
          })
        ).statusCode,
      ).toBe(401);
      const djezzy = await createStaff(any.app, { phone: "0771 23 45 67" });
      expect(djezzy.user.phone).toBe("+213771234567");
      await expect(createStaff(any.app, { phone: "021 23 45 67" })).rejects.toMatchObject({ code: "INVALID_PHONE" });
    } finally {
      await any.close();
    }
  });
});

describe("profile and password", () => {
  it("GET /me returns the user; PUT /profile updates and audits", async () => {
    const { user, email } = await createStaff(t.app, { name: "Old Name" });
    const s = await signIn(t.app, email);
    const meRes = await t.app.inject({ method: "GET", url: "/api/auth/me", headers: s.auth });
    expect(meRes.json()).toMatchObject({ id: user.id, email, name: "Old Name" });
    const res = await t.app.inject({
      method: "PUT",
      url: "/api/auth/profile",
      headers: s.auth,
      payload: {
        name: "New Name",
        email: "New.Address@Example.dz",
        phone: "0661 44 33 22",
        currentPassword: STRONG_PASSWORD,
      },
    });
    expect(res.statusCode).toBe(200);
    // The new address stays pending until its code is verified; the current one keeps working.
    expect(res.json()).toEqual({
      message: "Profile updated successfully",
      user: expect.objectContaining({
        name: "New Name",
        email,
        pendingEmail: "new.address@example.dz",
        phone: "+213661443322",
        emailVerified: true,
      }),
      verificationEmailSent: true,
    });
    expect(await auditCount("user.profile_updated", user.id)).toBe(1);
  });

  it("refuses taking another user's email", async () => {
    const other = await createStaff(t.app);
    const { email } = await createStaff(t.app);
    const s = await signIn(t.app, email);
    const res = await t.app.inject({
      method: "PUT",
      url: "/api/auth/profile",
      headers: s.auth,
      payload: { email: other.email, currentPassword: STRONG_PASSWORD },
    });
    expect(res.statusCode).toBe(409);
  });

  it("change-password checks the current one, ends the other sessions and keeps this one", async () => {
    const { user, email } = await createStaff(t.app);
    const here = await signIn(t.app, email);
    const elsewhere = await signIn(t.app, email);
    const wrong = await t.app.inject({
      method: "POST",
      url: "/api/auth/change-password",
      headers: here.auth,
      payload: { currentPassword: "not-it", newPassword: "Another-Strong-Pass-77" },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details).toEqual([{ path: "/currentPassword", message: "is not correct" }]);
    const ok = await t.app.inject({
      method: "POST",
      url: "/api/auth/change-password",
      headers: here.auth,
      payload: { currentPassword: STRONG_PASSWORD, newPassword: "Another-Strong-Pass-77" },
    });
    expect(ok.statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/api/auth/me", headers: elsewhere.auth })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "GET", url: "/api/auth/me", headers: here.auth })).statusCode).toBe(200);
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(401);
    expect((await login(t.app, email, "Another-Strong-Pass-77")).statusCode).toBe(200);
    const [row] = await t.app.database.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.passwordChangedAt).toBeInstanceOf(Date);
    expect(await auditCount("user.password_changed", user.id)).toBe(1);
  });
});

describe("roles", () => {
  it("admin > supervisor > agent; below the minimum gets 403 FORBIDDEN", async () => {
    const sessions = {
      agent: await signIn(t.app, (await createStaff(t.app, { role: "agent" })).email),
      supervisor: await signIn(t.app, (await createStaff(t.app, { role: "supervisor" })).email),
      admin: await signIn(t.app, (await createStaff(t.app, { role: "admin" })).email),
    };
    const expected: Record<string, Record<string, number>> = {
      agent: { agent: 200, supervisor: 403, admin: 403 },
      supervisor: { agent: 200, supervisor: 200, admin: 403 },
      admin: { agent: 200, supervisor: 200, admin: 200 },
    };
    for (const [who, routes] of Object.entries(expected)) {
      for (const [route, status] of Object.entries(routes)) {
        const res = await t.app.inject({
          method: "GET",
          url: `/test/only-${route}`,
          headers: sessions[who as keyof typeof sessions].auth,
        });
        expect(res.statusCode, `${who} → only-${route}`).toBe(status);
        if (status === 403) expect(res.json().error.code).toBe("FORBIDDEN");
      }
    }
    expect((await t.app.inject({ method: "GET", url: "/test/only-agent" })).statusCode).toBe(401);
  });
});

describe("seed 004 routes", () => {
  it("POST /register, POST /login and PUT /update-profile keep the seed's payloads and answers", async () => {
    const reg = await t.app.inject({
      method: "POST",
      url: "/register",
      payload: { email: "seed.user@example.com", password: "securepassword-Zebra-9", username: "John Doe" },
    });
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toEqual({ message: "User registered successfully" });

    const res = await t.app.inject({
      method: "POST",
      url: "/login",
      payload: { email: "seed.user@example.com", password: "securepassword-Zebra-9" },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(["email", "message", "refresh", "token", "username"]);
    expect(body).toMatchObject({ message: "Login successful", username: "John Doe", email: "seed.user@example.com" });

    const upd = await t.app.inject({
      method: "PUT",
      url: "/update-profile",
      headers: { authorization: `Bearer ${body.token}` },
      payload: { name: "New Name" },
    });
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toEqual({ message: "Profile updated successfully" });
    const me = await t.app.inject({
      method: "GET",
      url: "/api/auth/me",
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(me.json().name).toBe("New Name");

    const bad = await t.app.inject({
      method: "POST",
      url: "/login",
      payload: { email: "seed.user@example.com", password: "nope" },
    });
    expect(bad.statusCode).toBe(401);
  });
});
