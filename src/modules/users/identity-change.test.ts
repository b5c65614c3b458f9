import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, users } from "../../db/schema/index.js";
import { createStaff, FAST_AUTH_ENV, login, signIn, STRONG_PASSWORD } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { deliverMail } from "../../../test/support/mail.js";
import { startCapturingSmtp } from "../../../test/support/smtp.js";

let smtp: Awaited<ReturnType<typeof startCapturingSmtp>>;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  smtp = await startCapturingSmtp();
  t = await buildTestApp({
    ...FAST_AUTH_ENV,
    ...smtp.env,
    RATE_LIMIT_OTP_PER_IP: "1000",
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: "3",
  });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const put = (url: string, headers: Record<string, string>, payload: object) =>
  t.app.inject({ method: "PUT", url, headers, payload });
const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: "POST", url, payload, headers });
const newAddress = () => `moved${++n}@example.dz`;

describe("a stolen access token cannot take the account over (issue 11 item 3)", () => {
  it("email or phone changes need currentPassword on both profile routes (403 REAUTH_REQUIRED); a name change does not", async () => {
    const staff = await createStaff(t.app);
    const s = await signIn(t.app, staff.email);
    for (const [url, payload] of [
      ["/api/auth/profile", { email: newAddress() }],
      ["/api/auth/profile", { phone: "0661 77 66 55" }],
      ["/update-profile", { name: "Same", email: newAddress() }],
      ["/update-profile", { name: "Same", phone: "0661 77 66 55" }],
      ["/api/auth/profile", { email: newAddress(), currentPassword: "Wrong-Password-1" }],
    ] as const) {
      const res = await put(url, s.auth, payload);
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(403);
      expect(res.json().error.code).toBe("REAUTH_REQUIRED");
    }
    const [row] = await t.app.database.db.select().from(users).where(eq(users.id, staff.user.id));
    expect(row).toMatchObject({ email: staff.email, phone: staff.user.phone, pendingEmail: null });
    expect((await put("/api/auth/profile", s.auth, { name: "Only The Name" })).statusCode).toBe(200);
    expect((await put("/update-profile", s.auth, { name: "Seed Name" })).statusCode).toBe(200);
  });

  it("wrong current passwords are counted: past the per-account limit the step-up answers 429 even with the right one", async () => {
    const staff = await createStaff(t.app);
    const s = await signIn(t.app, staff.email);
    for (let i = 0; i < 3; i++)
      expect(
        (await put("/api/auth/profile", s.auth, { email: newAddress(), currentPassword: `Guess-${i}-Password` }))
          .statusCode,
      ).toBe(403);
    expect(
      (await put("/api/auth/profile", s.auth, { email: newAddress(), currentPassword: STRONG_PASSWORD })).statusCode,
    ).toBe(429);
  });

  it("a new email stays pending (old one signs in and resets) until its code is verified; the old address is told", async () => {
    const staff = await createStaff(t.app);
    const s = await signIn(t.app, staff.email);
    const target = newAddress();
    const res = await put("/api/auth/profile", s.auth, { email: target, currentPassword: STRONG_PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { email: staff.email, pendingEmail: target, emailVerified: true },
      verificationEmailSent: true,
    });
    await deliverMail(t.app);
    expect(smtp.to(staff.email).at(-1)?.raw).toContain("A change of your sign-in email was requested");
    const code = smtp.latestCode(target)!;
    expect(code).toMatch(/^\d{6}$/);

    // Until verified: the old address signs in and gets reset codes; the new one does neither.
    expect((await login(t.app, staff.email, STRONG_PASSWORD)).statusCode).toBe(200);
    expect((await login(t.app, target, STRONG_PASSWORD)).statusCode).toBe(401);
    const mailsToTarget = smtp.to(target).length;
    await post("/reset-password", { email: target });
    await post("/reset-password", { email: staff.email });
    await deliverMail(t.app);
    expect(smtp.to(target)).toHaveLength(mailsToTarget);
    expect(smtp.to(staff.email).at(-1)?.raw).toContain("Your password reset code");

    expect((await post("/api/auth/verify-email", { email: target, otp: code })).statusCode).toBe(200);
    const [row] = await t.app.database.db.select().from(users).where(eq(users.id, staff.user.id));
    expect(row).toMatchObject({ email: target, pendingEmail: null });
    expect(row?.emailVerifiedAt).not.toBeNull();
    expect((await login(t.app, target, STRONG_PASSWORD)).statusCode).toBe(200);
    expect((await login(t.app, staff.email, STRONG_PASSWORD)).statusCode).toBe(401);
    await deliverMail(t.app);
    expect(smtp.to(staff.email).at(-1)?.raw).toContain("Your sign-in email was changed");
    const audit = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "user.email_changed"), eq(auditLogs.entityId, staff.user.id)));
    expect(audit[0]?.details).toEqual({ from: staff.email, to: target });
  });

  it("the old address is told of a phone change and of a password change", async () => {
    const staff = await createStaff(t.app);
    const s = await signIn(t.app, staff.email);
    const res = await put("/update-profile", s.auth, {
      name: "Same Name",
      phone: "0661 12 21 12",
      currentPassword: STRONG_PASSWORD,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "Profile updated successfully" });
    await deliverMail(t.app);
    expect(smtp.to(staff.email).at(-1)?.raw).toContain("Your phone number was changed");
    const changed = await post(
      "/api/auth/change-password",
      { currentPassword: STRONG_PASSWORD, newPassword: "Fresh-Granite-Orbit-64" },
      s.auth,
    );
    expect(changed.statusCode).toBe(200);
    await deliverMail(t.app);
    expect(smtp.to(staff.email).at(-1)?.raw).toContain("Your password was changed");
  });

  it("an admin's phone change is told to the owner too", async () => {
    const staff = await createStaff(t.app);
    const admin = await createStaff(t.app, { role: "admin" });
    const { auth } = await signIn(t.app, admin.email);
    const res = await t.app.inject({
      method: "PATCH",
      url: `/api/admin/users/${staff.user.id}`,
      headers: auth,
      payload: { phone: "0661 31 41 59" },
    });
    expect(res.statusCode).toBe(200);
    await deliverMail(t.app);
    expect(smtp.to(staff.email).at(-1)?.raw).toContain("Your phone number was changed");
  });
});
