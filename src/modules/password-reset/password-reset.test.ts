import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, otpLogs, passwordResetRequests } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createStaff, FAST_AUTH_ENV, login, STRONG_PASSWORD, signIn } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { deliverMail } from "../../../test/support/mail.js";
import { startCapturingSmtp } from "../../../test/support/smtp.js";

const NEW_PASSWORD = "Brand-New-Orchard-Key-58";
const clock = manualClock(new Date("2026-04-01T09:00:00Z"));
let smtp: Awaited<ReturnType<typeof startCapturingSmtp>>;
let t: TestApp;

beforeAll(async () => {
  smtp = await startCapturingSmtp();
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, RATE_LIMIT_OTP_PER_IP: "1000" }, { clock });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const post = (url: string, payload: Record<string, unknown>) => t.app.inject({ method: "POST", url, payload });
const requestOtp = (email: string, phone: string) => post("/api/request-otp", { email, phone });
const resendOtp = (email: string) => post("/api/resend-otp", { email });
const verifyOtp = (email: string, otp: string) => post("/api/verify-otp", { email, otp });
const latest = async (email: string) =>
  (
    await t.app.database.db
      .select()
      .from(passwordResetRequests)
      .where(eq(passwordResetRequests.email, email))
      .orderBy(desc(passwordResetRequests.createdAt))
      .limit(1)
  )[0];
const events = async (email: string) =>
  (await t.app.database.db.select().from(otpLogs).where(eq(otpLogs.email, email)).orderBy(otpLogs.id)).map(
    (r) => r.event,
  );
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

async function staffWithRequest() {
  const staff = await createStaff(t.app);
  const res = await requestOtp(staff.email, staff.user.phone!);
  expect(res.statusCode).toBe(200);
  await deliverMail(t.app);
  const code = smtp.latestCode(staff.email);
  expect(code).toMatch(/^\d{6}$/);
  return { ...staff, code: code! };
}

describe("request-otp", () => {
  it("emails a 6-digit code with its validity and no link; the code is stored only hashed", async () => {
    const { email, code } = await staffWithRequest();
    await deliverMail(t.app);
    const [mail] = smtp.to(email);
    expect(mail?.raw).toContain("valid for 10 minutes");
    expect(mail?.raw).toMatch(/Content-Type: text\/html/i);
    expect(mail?.raw).not.toMatch(/https?:\/\//);
    const row = await latest(email);
    expect(row).toMatchObject({ status: "pending", otpAttempts: 0, resendCount: 0 });
    expect(row?.otpHash).not.toContain(code);
    expect(await events(email)).toEqual(["requested", "sent"]);
  });

  it("answers an unknown email, or a phone of someone else, exactly like a real account, and sends nothing", async () => {
    const real = await createStaff(t.app);
    const other = await createStaff(t.app);
    await deliverMail(t.app);
    const sentBefore = smtp.messages.length;
    const known = await requestOtp(real.email, real.user.phone!);
    const unknown = await requestOtp("nobody.at.all@example.dz", "0661 00 11 22");
    const mismatch = await requestOtp(real.email, other.user.phone!);
    for (const res of [known, unknown, mismatch]) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ message: "If the account exists, a code has been sent" });
    }
    // Only the real pair got a mail.
    await deliverMail(t.app);
    expect(smtp.messages.length).toBe(sentBefore + 1);
    // The follow-up steps answer alike too (issue 11): resend always answers the generic 200, and
    // verifying a code for an address without a live request of its owner is "no active code".
    for (const email of [real.email, other.email, "nobody.at.all@example.dz"]) {
      const resend = await resendOtp(email);
      expect(resend.statusCode).toBe(200);
      expect(resend.json()).toEqual({ message: "If the account exists, a code has been sent" });
    }
    const unknownVerify = await verifyOtp("nobody.at.all@example.dz", "123456");
    const otherVerify = await verifyOtp(other.email, "123456");
    expect(unknownVerify.statusCode).toBe(400);
    expect(unknownVerify.json().error).toEqual(otherVerify.json().error);
  });

  it("a real email with someone else's phone changes nothing for the real account (issue 11)", async () => {
    const { email, user, code } = await staffWithRequest();
    const other = await createStaff(t.app);
    const before = await latest(email);
    const requestsBefore = (
      await t.app.database.db.select().from(passwordResetRequests).where(eq(passwordResetRequests.email, email))
    ).length;
    for (const phone of [other.user.phone!, "0661 00 99 88"]) {
      const res = await requestOtp(email, phone);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ message: "If the account exists, a code has been sent" });
    }
    // The owner's code is still live, with its attempts, and no request was added to its daily budget.
    expect(await latest(email)).toEqual(before);
    expect(
      (await t.app.database.db.select().from(passwordResetRequests).where(eq(passwordResetRequests.email, email)))
        .length,
    ).toBe(requestsBefore);
    const verified = await verifyOtp(email, code);
    expect(verified.statusCode).toBe(200);
    expect(user.id).toBe(before?.userId);
  });

  it("mails only a verified address: an unverified account is answered like an unknown one", async () => {
    const staff = await createStaff(t.app, { emailVerified: false });
    await deliverMail(t.app);
    const sentBefore = smtp.to(staff.email).length;
    const res = await requestOtp(staff.email, staff.user.phone!);
    expect(res.json()).toEqual({ message: "If the account exists, a code has been sent" });
    await deliverMail(t.app);
    expect(smtp.to(staff.email)).toHaveLength(sentBefore);
    expect((await latest(staff.email))?.userId).toBeNull();
  });

  it("a new request ends the earlier one", async () => {
    const { email, user, code } = await staffWithRequest();
    clock.advance(1000);
    await requestOtp(email, user.phone!);
    const res = await verifyOtp(email, code);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("INVALID_OTP");
    const rows = await t.app.database.db
      .select()
      .from(passwordResetRequests)
      .where(eq(passwordResetRequests.email, email));
    expect(rows.map((r) => r.status).sort()).toEqual(["expired", "pending"]);
  });

  it("caps requests per day: past the cap nothing is sent but the answer is the same", async () => {
    const staff = await createStaff(t.app);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      expect((await requestOtp(staff.email, staff.user.phone!)).statusCode).toBe(200);
    }
    await deliverMail(t.app);
    expect(smtp.to(staff.email)).toHaveLength(5);
    const sixth = await requestOtp(staff.email, staff.user.phone!);
    expect(sixth.statusCode).toBe(200);
    expect(sixth.json()).toEqual({ message: "If the account exists, a code has been sent" });
    await deliverMail(t.app);
    expect(smtp.to(staff.email)).toHaveLength(5);
    expect((await events(staff.email)).at(-1)).toBe("request_limited");
    clock.advance(86_400_000);
    await requestOtp(staff.email, staff.user.phone!);
    await deliverMail(t.app);
    expect(smtp.to(staff.email)).toHaveLength(6);
  });
});

describe("verify-otp", () => {
  it("wrong codes count down, the fifth blocks, and then even the right code is refused", async () => {
    const { email, code } = await staffWithRequest();
    for (let left = 4; left >= 1; left--) {
      const res = await verifyOtp(email, wrongCode(code));
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: "INVALID_OTP", attemptsLeft: left });
    }
    const fifth = await verifyOtp(email, wrongCode(code));
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json().error.code).toBe("OTP_BLOCKED");
    expect((await verifyOtp(email, code)).statusCode).toBe(423);
    expect((await latest(email))?.status).toBe("blocked");
    expect(await events(email)).toContain("blocked");
    // A resend says nothing about the block (the same answer as for any address) and sends nothing.
    await deliverMail(t.app);
    const mails = smtp.to(email).length;
    clock.advance(61_000);
    expect((await resendOtp(email)).statusCode).toBe(200);
    await deliverMail(t.app);
    expect(smtp.to(email)).toHaveLength(mails);
  });

  it("an expired code moves the request to expired (410)", async () => {
    const { email, code } = await staffWithRequest();
    clock.advance(600_000 + 1000);
    const res = await verifyOtp(email, code);
    expect(res.statusCode).toBe(410);
    expect(res.json().error.code).toBe("OTP_EXPIRED");
    expect((await latest(email))?.status).toBe("expired");
    expect((await verifyOtp(email, code)).statusCode).toBe(410);
  });

  it("no active request → 400 INVALID_OTP", async () => {
    const res = await verifyOtp("never.asked@example.dz", "123456");
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("INVALID_OTP");
  });

  it("rejects a malformed code with a validation error", async () => {
    const res = await verifyOtp("x@example.dz", "12ab");
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("VALIDATION_ERROR");
  });
});

describe("resend-otp", () => {
  it("cooldown and cap hold the mail back silently (always the generic 200); a new code replaces the old; at most 3", async () => {
    const generic = { message: "If the account exists, a code has been sent" };
    const { email, code } = await staffWithRequest();
    const early = await resendOtp(email);
    expect(early.statusCode).toBe(200);
    expect(early.json()).toEqual(generic);
    await deliverMail(t.app);
    expect(smtp.to(email)).toHaveLength(1);

    let current = code;
    for (let i = 1; i <= 3; i++) {
      clock.advance(61_000);
      const res = await resendOtp(email);
      expect(res.statusCode, `resend ${i}`).toBe(200);
      await deliverMail(t.app);
      const next = smtp.latestCode(email)!;
      expect(smtp.to(email)).toHaveLength(1 + i);
      if (next !== current) expect((await verifyOtp(email, current)).statusCode).toBe(400);
      current = next;
    }
    clock.advance(61_000);
    const fourth = await resendOtp(email);
    expect(fourth.statusCode).toBe(200);
    expect(fourth.json()).toEqual(generic);
    await deliverMail(t.app);
    expect(smtp.to(email)).toHaveLength(4);
    expect(await events(email)).toContain("request_limited");
    expect((await verifyOtp(email, current)).statusCode).toBe(200);
  });

  it("does not give wrong attempts back", async () => {
    const { email, code } = await staffWithRequest();
    for (let i = 0; i < 3; i++) await verifyOtp(email, wrongCode(code));
    clock.advance(61_000);
    await resendOtp(email);
    await deliverMail(t.app);
    const fresh = smtp.latestCode(email)!;
    expect((await verifyOtp(email, wrongCode(fresh))).json().error.attemptsLeft).toBe(1);
    expect((await verifyOtp(email, wrongCode(fresh))).statusCode).toBe(423);
    expect((await verifyOtp(email, fresh)).statusCode).toBe(423);
  });
});

describe("set-new-password", () => {
  it("pending → verified → used: new password, sessions revoked, lock cleared, confirmation sent, no login", async () => {
    const staff = await createStaff(t.app);
    const session = await signIn(t.app, staff.email);
    // Lock the account first: a reset must clear it.
    for (let i = 0; i < 5; i++) await login(t.app, staff.email, `Wrong-Password-${i}!`);
    expect((await login(t.app, staff.email, STRONG_PASSWORD)).statusCode).toBe(423);

    await requestOtp(staff.email, staff.user.phone!);
    await deliverMail(t.app);
    const verified = await verifyOtp(staff.email, smtp.latestCode(staff.email)!);
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ message: "OTP verified", resetToken: expect.any(String), expiresIn: 600 });
    expect((await latest(staff.email))?.status).toBe("verified");
    const { resetToken } = verified.json();

    const weak = await post("/api/set-new-password", { email: staff.email, resetToken, newPassword: "password1" });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0].path).toBe("/newPassword");

    const res = await post("/api/set-new-password", { email: staff.email, resetToken, newPassword: NEW_PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "Password updated successfully" });
    expect(res.json().token).toBeUndefined();
    expect((await latest(staff.email))?.status).toBe("used");

    expect((await t.app.inject({ method: "GET", url: "/api/auth/me", headers: session.auth })).statusCode).toBe(401);
    expect((await post("/api/auth/refresh", { refresh: session.refresh })).statusCode).toBe(401);
    expect((await login(t.app, staff.email, STRONG_PASSWORD)).statusCode).toBe(401);
    expect((await login(t.app, staff.email, NEW_PASSWORD)).statusCode).toBe(200);
    await deliverMail(t.app);
    expect(smtp.to(staff.email).at(-1)?.raw).toContain("Your password was changed");
    expect(await events(staff.email)).toEqual(expect.arrayContaining(["requested", "sent", "verified", "used"]));
    const audit = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "user.password_reset"), eq(auditLogs.entityId, staff.user.id)));
    expect(audit).toHaveLength(1);

    const again = await post("/api/set-new-password", {
      email: staff.email,
      resetToken,
      newPassword: "Yet-Another-Orchard-77",
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe("INVALID_RESET_TOKEN");
  });

  it("refuses a wrong or expired reset token", async () => {
    const { email, code } = await staffWithRequest();
    const { resetToken } = (await verifyOtp(email, code)).json();
    const wrong = await post("/api/set-new-password", {
      email,
      resetToken: `${resetToken}x`,
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.json().error.code).toBe("INVALID_RESET_TOKEN");
    clock.advance(601_000);
    const expired = await post("/api/set-new-password", { email, resetToken, newPassword: NEW_PASSWORD });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().error.code).toBe("INVALID_RESET_TOKEN");
  });
});

describe("seed 004 routes", () => {
  it("POST /reset-password answers the same for unknown emails; POST /update-password verifies and sets", async () => {
    const staff = await createStaff(t.app);
    const unknown = await post("/reset-password", { email: "ghost.user@example.dz" });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toEqual({ message: "OTP sent successfully" });
    const res = await post("/reset-password", { email: staff.email });
    expect(res.json()).toEqual({ message: "OTP sent successfully" });
    await deliverMail(t.app);
    const code = smtp.latestCode(staff.email)!;

    const wrong = await post("/update-password", {
      email: staff.email,
      otp: Number(wrongCode(code)),
      new_password: NEW_PASSWORD,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ code: "INVALID_OTP", attemptsLeft: 4 });
    const weak = await post("/update-password", { email: staff.email, otp: Number(code), new_password: "password1" });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0].path).toBe("/new_password");

    const ok = await post("/update-password", { email: staff.email, otp: Number(code), new_password: NEW_PASSWORD });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ message: "Password updated successfully" });
    expect((await login(t.app, staff.email, NEW_PASSWORD)).statusCode).toBe(200);
  });
});
