import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, users } from "../../db/schema/index.js";
import { createStaff, FAST_AUTH_ENV, login, STRONG_PASSWORD, signIn } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { deliverMail } from "../../../test/support/mail.js";
import { startCapturingSmtp } from "../../../test/support/smtp.js";

let smtp: Awaited<ReturnType<typeof startCapturingSmtp>>;
let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let adminId: string;

beforeAll(async () => {
  smtp = await startCapturingSmtp();
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env });
  const a = await createStaff(t.app, { role: "admin" });
  adminId = a.user.id;
  admin = await signIn(t.app, a.email);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, headers = admin.auth) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
const audits = async (action: string, entityId: string) =>
  t.app.database.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.action, action), eq(auditLogs.entityId, entityId)));

describe("user administration", () => {
  it("lists users with filters and cursor pagination; only admins", async () => {
    await createStaff(t.app, { role: "supervisor", name: "Sup Visor" });
    await createStaff(t.app, { role: "agent", name: "Agent Findme" });
    const all = (await call("GET", "/api/admin/users?limit=2")).json();
    expect(all.data).toHaveLength(2);
    const next = (await call("GET", `/api/admin/users?limit=2&cursor=${all.page.nextCursor}`)).json();
    expect(next.data.map((u: { id: string }) => u.id)).not.toContain(all.data[0].id);
    expect(
      (await call("GET", "/api/admin/users?role=supervisor"))
        .json()
        .data.every((u: { role: string }) => u.role === "supervisor"),
    ).toBe(true);
    expect((await call("GET", "/api/admin/users?q=findme")).json().data).toHaveLength(1);
    const agent = await signIn(t.app, (await createStaff(t.app)).email);
    expect((await call("GET", "/api/admin/users", undefined, agent.auth)).statusCode).toBe(403);
  });

  it("creates a user with a one-time initial password that must be changed first", async () => {
    const res = await call("POST", "/api/admin/users", {
      email: "new.sup@example.dz",
      name: "New Sup",
      role: "supervisor",
      initialPassword: "Initial-Cedar-Pass-91",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      passwordSetup: "initial_password",
      user: { role: "supervisor", mustChangePassword: true },
    });
    expect(await audits("user.created", res.json().user.id)).toHaveLength(1);
    const s = await signIn(t.app, "new.sup@example.dz", "Initial-Cedar-Pass-91");
    const blocked = await call("GET", "/api/customers", undefined, s.auth);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe("PASSWORD_CHANGE_REQUIRED");
    expect((await call("GET", "/api/auth/me", undefined, s.auth)).statusCode).toBe(200);
    const changed = await call(
      "POST",
      "/api/auth/change-password",
      { currentPassword: "Initial-Cedar-Pass-91", newPassword: "Own-Secret-Dunes-2026" },
      s.auth,
    );
    expect(changed.statusCode).toBe(200);
    expect((await call("GET", "/api/customers", undefined, s.auth)).statusCode).toBe(200);
  });

  it("creates a user without a password: an invitation to use the reset flow is emailed", async () => {
    const res = await call("POST", "/api/admin/users", { email: "invitee@example.dz", name: "Invitee", role: "agent" });
    expect(res.json()).toMatchObject({
      passwordSetup: "reset_flow",
      setupEmailSent: true,
      user: { mustChangePassword: false },
    });
    await deliverMail(t.app);
    const mails = smtp.to("invitee@example.dz").map((m) => m.raw);
    expect(mails.some((m) => m.includes("Forgot password"))).toBe(true);
    expect(mails.some((m) => /Your code: \d{6}/.test(m))).toBe(true);
  });

  it("changes role (audited with old and new) and refuses to demote the last active admin", async () => {
    const u = await createStaff(t.app);
    const res = await call("PATCH", `/api/admin/users/${u.user.id}`, { role: "supervisor", name: "Promoted" });
    expect(res.json()).toMatchObject({ role: "supervisor", name: "Promoted" });
    const [audit] = await audits("user.role_changed", u.user.id);
    expect(audit?.details).toEqual({ from: "agent", to: "supervisor" });
    const last = await call("PATCH", `/api/admin/users/${adminId}`, { role: "agent" });
    expect(last.statusCode).toBe(409);
    expect(last.json().error.code).toBe("LAST_ADMIN");
    for (const action of ["lock", "deactivate"]) {
      expect((await call("POST", `/api/admin/users/${adminId}/${action}`, { reason: "test" })).statusCode).toBe(403);
    }
  });

  it("a second admin may be demoted while another remains; the last one may not be locked or deactivated", async () => {
    const second = await createStaff(t.app, { role: "admin" });
    const secondSession = await signIn(t.app, second.email);
    // The second admin tries to lock the first: allowed (one admin would remain).
    const locked = await call("POST", `/api/admin/users/${adminId}/lock`, { reason: "test" }, secondSession.auth);
    expect(locked.statusCode).toBe(200);
    // Now only the second is an active, unlocked admin: it cannot be deactivated by anyone.
    const again = await call(
      "POST",
      `/api/admin/users/${second.user.id}/deactivate`,
      { reason: "test" },
      secondSession.auth,
    );
    expect(again.statusCode).toBe(403); // not yourself
    await call("POST", `/api/admin/users/${adminId}/unlock`, { reason: "done" }, secondSession.auth);
    admin = await signIn(t.app, (await t.app.database.db.select().from(users).where(eq(users.id, adminId)))[0]!.email);
    expect((await call("PATCH", `/api/admin/users/${second.user.id}`, { role: "agent" })).statusCode).toBe(200);
  });

  it("lock and deactivate end the user's sessions; unlock and activate restore sign-in; each is audited", async () => {
    const u = await createStaff(t.app);
    const s = await signIn(t.app, u.email);
    expect(
      (await call("POST", `/api/admin/users/${u.user.id}/lock`, { reason: "suspicious calls" })).json(),
    ).toMatchObject({ isLocked: true });
    expect((await call("GET", "/api/auth/me", undefined, s.auth)).statusCode).toBe(401);
    expect((await login(t.app, u.email, STRONG_PASSWORD)).statusCode).toBe(423);
    expect((await call("POST", `/api/admin/users/${u.user.id}/unlock`, { reason: "cleared" })).json()).toMatchObject({
      isLocked: false,
    });
    const s2 = await signIn(t.app, u.email);
    expect((await call("POST", `/api/admin/users/${u.user.id}/deactivate`, { reason: "left" })).json()).toMatchObject({
      isActive: false,
    });
    expect((await call("GET", "/api/auth/me", undefined, s2.auth)).statusCode).toBe(401);
    expect((await login(t.app, u.email, STRONG_PASSWORD)).statusCode).toBe(403);
    await call("POST", `/api/admin/users/${u.user.id}/activate`, { reason: "back" });
    expect((await login(t.app, u.email, STRONG_PASSWORD)).statusCode).toBe(200);
    for (const action of ["user.locked", "user.unlocked", "user.deactivated", "user.activated"]) {
      const [entry] = await audits(action, u.user.id);
      expect(entry?.details, action).toMatchObject({ reason: expect.any(String) });
    }
    expect((await call("POST", `/api/admin/users/${u.user.id}/lock`, {})).statusCode).toBe(400);
  });

  it("shows activity and sessions, and ends them all", async () => {
    const u = await createStaff(t.app);
    await signIn(t.app, u.email);
    await signIn(t.app, u.email);
    await login(t.app, u.email, "Wrong-Password-1!");
    const activity = (await call("GET", `/api/admin/users/${u.user.id}/activity`)).json();
    expect(activity).toMatchObject({
      logins: 2,
      failedLogins: 1,
      activeSessions: 2,
      interactionsRecorded: 0,
      lastLoginAt: expect.any(String),
    });
    expect((await call("GET", `/api/admin/users/${u.user.id}/sessions`)).json().data).toHaveLength(2);
    expect((await call("DELETE", `/api/admin/users/${u.user.id}/sessions`)).json().message).toBe("Ended 2 session(s)");
    expect((await call("GET", `/api/admin/users/${u.user.id}/sessions`)).json().data).toHaveLength(0);
    expect((await call("GET", "/api/admin/users/00000000-0000-4000-8000-000000000000")).statusCode).toBe(404);
  });

  it("ends one session: its access and refresh tokens stop working, the others go on; audited; 404 otherwise", async () => {
    const u = await createStaff(t.app);
    const [first, second] = [await signIn(t.app, u.email), await signIn(t.app, u.email)];
    const sessions = (await call("GET", `/api/admin/users/${u.user.id}/sessions`)).json().data as { id: string }[];
    expect(sessions).toHaveLength(2);
    const me = (s: typeof first) => t.app.inject({ method: "GET", url: "/api/auth/me", headers: s.auth });
    // Which session is the first sign-in's: the user's own list marks it.
    const sessionOf = async (s: typeof first) => {
      const own = await t.app.inject({ method: "GET", url: "/api/auth/sessions", headers: s.auth });
      return (own.json().data as { id: string; current: boolean }[]).find((x) => x.current)!.id;
    };
    const firstId = await sessionOf(first);
    const ended = await call("DELETE", `/api/admin/users/${u.user.id}/sessions/${firstId}`);
    expect(ended.statusCode, ended.body).toBe(204);
    expect(ended.body).toBe("");
    expect((await me(first)).statusCode).toBe(401);
    const refresh = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh: first.refresh },
    });
    expect(refresh.statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(200);
    const left = (await call("GET", `/api/admin/users/${u.user.id}/sessions`)).json().data as { id: string }[];
    expect(left.map((s) => s.id)).toEqual([await sessionOf(second)]);
    const [entry] = await audits("user.sessions_ended", u.user.id);
    expect(entry?.details).toEqual({ sessionsEnded: 1, sessionId: firstId });
    expect(entry?.actorId).toBe(adminId);

    // Already ended, another user's, or unknown: 404 in the one error shape; nothing else is ended.
    const again = await call("DELETE", `/api/admin/users/${u.user.id}/sessions/${firstId}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe("NOT_FOUND");
    const other = await createStaff(t.app);
    const notTheirs = await call("DELETE", `/api/admin/users/${other.user.id}/sessions/${left[0]!.id}`);
    expect(notTheirs.statusCode).toBe(404);
    expect((await me(second)).statusCode).toBe(200);
    const unknownUser = "00000000-0000-4000-8000-000000000000";
    expect((await call("DELETE", `/api/admin/users/${unknownUser}/sessions/${left[0]!.id}`)).statusCode).toBe(404);
    expect((await call("DELETE", `/api/admin/users/${u.user.id}/sessions/not-a-uuid`)).statusCode).toBe(400);
    const asAgent = await call(
      "DELETE",
      `/api/admin/users/${u.user.id}/sessions/${left[0]!.id}`,
      undefined,
      second.auth,
    );
    expect(asAgent.statusCode).toBe(403);
  });
});

describe("phone prefixes", () => {
  it("admins list, add, change and remove Mobilis prefixes, and registration follows them", async () => {
    const list = (await call("GET", "/api/admin/phone-prefixes")).json().data;
    expect(list.map((p: { prefix: string }) => p.prefix)).toContain("+21366");
    const added = await call("POST", "/api/admin/phone-prefixes", { prefix: "+21377", description: "test range" });
    expect(added.statusCode).toBe(201);
    expect((await call("POST", "/api/admin/phone-prefixes", { prefix: "+21377" })).statusCode).toBe(409);
    expect((await call("POST", "/api/admin/phone-prefixes", { prefix: "0661" })).statusCode).toBe(400);
    const reg = () =>
      t.app.inject({
        method: "POST",
        url: "/api/auth/register",
        payload: { email: `d${Date.now()}@example.dz`, password: STRONG_PASSWORD, name: "D", phone: "0771 22 33 44" },
      });
    expect((await reg()).statusCode).toBe(201);
    const id = added.json().id;
    expect((await call("PATCH", `/api/admin/phone-prefixes/${id}`, { isActive: false })).json().isActive).toBe(false);
    expect((await call("DELETE", `/api/admin/phone-prefixes/${id}`)).statusCode).toBe(200);
    expect((await call("DELETE", `/api/admin/phone-prefixes/${id}`)).statusCode).toBe(404);
  });
});
