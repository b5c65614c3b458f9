import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.js";
import { auditLogs, users } from "../../db/schema/index.js";
import { createStaff, FAST_AUTH_ENV, signIn, STRONG_PASSWORD } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { deliverMail } from "../../../test/support/mail.js";
import { startCapturingSmtp } from "../../../test/support/smtp.js";

let smtp: Awaited<ReturnType<typeof startCapturingSmtp>>;
let t: TestApp;
let adminAuth: Record<string, string>;
let n = 0;

beforeAll(async () => {
  smtp = await startCapturingSmtp();
  t = await buildTestApp({
    ...FAST_AUTH_ENV,
    ...smtp.env,
    REGISTRATION: "approval",
    REGISTRATION_AUTO_APPROVE_DOMAINS: "centre.dz, other-centre.dz",
    RATE_LIMIT_OTP_PER_IP: "1000",
  });
  const admin = await createStaff(t.app, { role: "admin" });
  adminAuth = (await signIn(t.app, admin.email)).auth;
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: "POST", url, payload, headers });
const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: "GET", url, headers });
const RECEIVED = { message: "Registration received" };
const fresh = (domain = "example.dz") => ({
  email: `newcomer${++n}@${domain}`,
  password: STRONG_PASSWORD,
  name: `Newcomer ${n}`,
});

describe("REGISTRATION=approval (issue 11 item 2)", () => {
  it("is the production default; open stays the development and test default", () => {
    const prod = loadConfig({ NODE_ENV: "production", JWT_SECRET: "p".repeat(40), EMAIL_USER: "ops@example.dz" });
    expect(prod.REGISTRATION).toBe("approval");
    expect(loadConfig({ NODE_ENV: "development" }).REGISTRATION).toBe("open");
    expect(loadConfig({ NODE_ENV: "test" }).REGISTRATION).toBe("open");
  });

  it("a new account signs in, sees and edits its profile, and gets 403 ACCOUNT_PENDING_APPROVAL elsewhere until approved", async () => {
    const body = fresh();
    const res = await post("/api/auth/register", body);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual(RECEIVED);
    const s = await signIn(t.app, body.email);
    const me = await get("/api/auth/me", s.auth);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: body.email, pendingApproval: true, role: "agent" });
    const renamed = await t.app.inject({
      method: "PUT",
      url: "/api/auth/profile",
      headers: s.auth,
      payload: { name: "Renamed" },
    });
    expect(renamed.statusCode).toBe(200);
    for (const url of ["/api/customers", "/api/loans", "/api/crm/worklist", "/api/interactions"]) {
      const refused = await get(url, s.auth);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json().error.code, url).toBe("ACCOUNT_PENDING_APPROVAL");
    }
    // Verifying the email needs no approval.
    await deliverMail(t.app);
    expect(
      (await post("/api/auth/verify-email", { email: body.email, otp: smtp.latestCode(body.email)! })).statusCode,
    ).toBe(200);
    expect((await get("/api/customers", s.auth)).statusCode).toBe(403);

    const pending = await get("/api/admin/users?pendingApproval=true", adminAuth);
    expect(pending.json().data.map((u: { email: string }) => u.email)).toContain(body.email);
    expect(pending.json().data.every((u: { pendingApproval: boolean }) => u.pendingApproval)).toBe(true);
    const approved = await post(`/api/admin/users/${s.userId}/approve`, { role: "supervisor" }, adminAuth);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ id: s.userId, role: "supervisor", pendingApproval: false });
    expect((await get("/api/customers", s.auth)).statusCode).toBe(200);
    expect(
      (await get("/api/admin/users?pendingApproval=true", adminAuth))
        .json()
        .data.map((u: { email: string }) => u.email),
    ).not.toContain(body.email);
    const [audit] = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "user.approved"), eq(auditLogs.entityId, s.userId)));
    expect(audit?.details).toEqual({ role: "supervisor", by: "admin" });
    expect((await post(`/api/admin/users/${s.userId}/approve`, { role: "agent" }, adminAuth)).statusCode).toBe(409);
    await deliverMail(t.app);
    expect(smtp.to(body.email).at(-1)?.raw).toContain("Your account was approved");
  });

  it("parallel approvals of one account: exactly one succeeds and is audited", async () => {
    const body = fresh();
    await post("/api/auth/register", body);
    const [user] = await t.app.database.db.select().from(users).where(eq(users.email, body.email));
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(`/api/admin/users/${user!.id}/approve`, { role: i % 2 ? "agent" : "supervisor" }, adminAuth),
      ),
    );
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.statusCode === 409)).toHaveLength(7);
    expect(
      await t.app.database.db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.action, "user.approved"), eq(auditLogs.entityId, user!.id))),
    ).toHaveLength(1);
  });

  it("only admins approve", async () => {
    const agent = await createStaff(t.app);
    const s = await signIn(t.app, agent.email);
    expect((await post(`/api/admin/users/${agent.user.id}/approve`, { role: "admin" }, s.auth)).statusCode).toBe(403);
  });

  it("a duplicate email or phone answers exactly like a new registration, and the owner is told", async () => {
    const owner = await createStaff(t.app);
    await deliverMail(t.app);
    const before = smtp.to(owner.email).length;
    const answers = [
      await post("/api/auth/register", fresh()),
      await post("/api/auth/register", { ...fresh(), email: owner.email.toUpperCase() }),
      await post("/api/auth/register", { ...fresh(), phone: owner.user.phone }),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(202);
      expect(res.body).toBe(answers[0]!.body);
    }
    await deliverMail(t.app);
    const notices = smtp.to(owner.email).slice(before);
    expect(notices).toHaveLength(2);
    expect(notices[0]?.raw).toContain("Someone tried to register with your details");
    // Nothing was created for the duplicates.
    expect(await t.app.database.db.select().from(users).where(eq(users.email, owner.email))).toHaveLength(1);
    // Seed 004's route answers alike.
    const legacyNew = await post("/register", {
      email: `legacy${++n}@example.dz`,
      password: STRONG_PASSWORD,
      username: "Legacy",
    });
    const legacyDup = await post("/register", { email: owner.email, password: STRONG_PASSWORD, username: "Legacy" });
    expect(legacyNew.statusCode).toBe(202);
    expect(legacyDup.statusCode).toBe(202);
    expect(legacyDup.body).toBe(legacyNew.body);
  });

  it("REGISTRATION_AUTO_APPROVE_DOMAINS approves a verified address of those domains as an agent", async () => {
    const body = fresh("centre.dz");
    await post("/api/auth/register", body);
    const s = await signIn(t.app, body.email);
    expect((await get("/api/customers", s.auth)).statusCode).toBe(403);
    await deliverMail(t.app);
    expect(
      (await post("/api/auth/verify-email", { email: body.email, otp: smtp.latestCode(body.email)! })).statusCode,
    ).toBe(200);
    expect((await get("/api/customers", s.auth)).statusCode).toBe(200);
    const [audit] = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "user.approved"), eq(auditLogs.entityId, s.userId)));
    expect(audit?.details).toMatchObject({ role: "agent", by: "auto_approve_domain", domain: "centre.dz" });
    // Another domain stays pending after verification.
    const other = fresh("elsewhere.dz");
    await post("/api/auth/register", other);
    await deliverMail(t.app);
    await post("/api/auth/verify-email", { email: other.email, otp: smtp.latestCode(other.email)! });
    expect((await get("/api/customers", (await signIn(t.app, other.email)).auth)).statusCode).toBe(403);
  });

  it("accounts created by admins are approved", async () => {
    const res = await post(
      "/api/admin/users",
      { email: `made${++n}@example.dz`, name: "Made", role: "agent", initialPassword: "Initial-Cedar-Pass-91" },
      adminAuth,
    );
    expect(res.json().user.pendingApproval).toBe(false);
  });
});

describe("REGISTRATION=closed", () => {
  it("creates nothing and answers 202 for new and existing addresses alike; owners are told", async () => {
    const closed = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, REGISTRATION: "closed" });
    try {
      const owner = await createStaff(closed.app);
      const fresh = await closed.app.inject({
        method: "POST",
        url: "/api/auth/register",
        payload: { email: "nobody.new@example.dz", password: STRONG_PASSWORD, name: "N" },
      });
      const dup = await closed.app.inject({
        method: "POST",
        url: "/api/auth/register",
        payload: { email: owner.email, password: STRONG_PASSWORD, name: "N" },
      });
      expect(fresh.statusCode).toBe(202);
      expect(dup.statusCode).toBe(202);
      expect(dup.body).toBe(fresh.body);
      expect(
        await closed.app.database.db.select().from(users).where(eq(users.email, "nobody.new@example.dz")),
      ).toHaveLength(0);
      await deliverMail(closed.app);
      expect(smtp.to(owner.email).at(-1)?.raw).toContain("Someone tried to register");
      expect(smtp.to("nobody.new@example.dz")).toHaveLength(0);
    } finally {
      await closed.close();
    }
  });
});
