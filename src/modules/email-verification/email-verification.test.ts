import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, otpLogs, users } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV, STRONG_PASSWORD } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { startCapturingSmtp } from "../../../test/support/smtp.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
let smtp: Awaited<ReturnType<typeof startCapturingSmtp>>;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  smtp = await startCapturingSmtp();
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, REQUIRE_EMAIL_VERIFICATION: "true", RATE_LIMIT_OTP_PER_IP: "1000" }, { clock });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const post = (url: string, payload: Record<string, unknown>) => t.app.inject({ method: "POST", url, payload });
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

async function registered() {
  const email = `verify${++n}@example.dz`;
  const res = await post("/api/auth/register", { email, password: STRONG_PASSWORD, name: `Verify ${n}` });
  expect(res.statusCode).toBe(201);
  return { email, body: res.json(), code: smtp.latestCode(email)! };
}

describe("email verification", () => {
  it("registration emails a code; verifying it marks the user verified and audits it", async () => {
    const { email, body, code } = await registered();
    expect(body).toMatchObject({ verificationEmailSent: true, user: { emailVerified: false } });
    expect(code).toMatch(/^\d{6}$/);
    expect(smtp.to(email)[0]?.raw).toContain("verify your email address");
    const res = await post("/api/auth/verify-email", { email, otp: code });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "Email verified" });
    const login = await post("/api/auth/login", { email, password: STRONG_PASSWORD });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.emailVerified).toBe(true);
    const [user] = await t.app.database.db.select().from(users).where(eq(users.email, email));
    expect(await t.app.database.db.select().from(auditLogs).where(and(eq(auditLogs.action, "user.email_verified"), eq(auditLogs.entityId, user!.id)))).toHaveLength(1);
    const events = await t.app.database.db.select().from(otpLogs).where(eq(otpLogs.email, email));
    expect(events.every((e) => e.purpose === "email_verification")).toBe(true);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(["requested", "sent", "verified"]));
    expect((await post("/api/auth/verify-email", { email, otp: code })).json().error.code).toBe("INVALID_OTP");
  });

  it("with REQUIRE_EMAIL_VERIFICATION, an unverified login is 403 only with the right password", async () => {
    const { email } = await registered();
    const right = await post("/api/auth/login", { email, password: STRONG_PASSWORD });
    expect(right.statusCode).toBe(403);
    expect(right.json().error.code).toBe("EMAIL_NOT_VERIFIED");
    const bad = await post("/api/auth/login", { email, password: "Not-The-Password-1" });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe("INVALID_CREDENTIALS");
  });

  it("wrong codes count down; the fifth blocks the code; an expired code is 410", async () => {
    const { email, code } = await registered();
    for (let left = 4; left >= 1; left--) {
      expect((await post("/api/auth/verify-email", { email, otp: wrong(code) })).json().error).toMatchObject({ code: "INVALID_OTP", attemptsLeft: left });
    }
    expect((await post("/api/auth/verify-email", { email, otp: wrong(code) })).statusCode).toBe(423);
    expect((await post("/api/auth/verify-email", { email, otp: code })).json().error.code).toBe("OTP_BLOCKED");

    const other = await registered();
    clock.advance(601_000);
    const expired = await post("/api/auth/verify-email", { email: other.email, otp: other.code });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.code).toBe("OTP_EXPIRED");
    clock.set(new Date("2026-06-15T09:00:00Z"));
  });

  it("resend: same answer for unknown and verified addresses; cooldown; at most 3; the old code stops working", async () => {
    const ok = { message: "If the address needs verifying, a new code has been sent" };
    expect((await post("/api/auth/resend-verification", { email: "nobody@example.dz" })).json()).toEqual(ok);
    const { email, code } = await registered();
    const early = await post("/api/auth/resend-verification", { email });
    expect(early.statusCode).toBe(429);
    expect(early.json().error).toMatchObject({ code: "OTP_COOLDOWN", retryAfter: 60 });
    let current = code;
    for (let i = 1; i <= 3; i++) {
      clock.advance(61_000);
      expect((await post("/api/auth/resend-verification", { email })).json()).toEqual(ok);
      const next = smtp.latestCode(email)!;
      if (next !== current) expect((await post("/api/auth/verify-email", { email, otp: current })).statusCode).toBe(400);
      current = next;
    }
    clock.advance(61_000);
    const fourth = await post("/api/auth/resend-verification", { email });
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json().error.code).toBe("OTP_RESEND_LIMIT");
    expect((await post("/api/auth/verify-email", { email, otp: current })).statusCode).toBe(200);
    expect((await post("/api/auth/resend-verification", { email })).json()).toEqual(ok);
    clock.set(new Date("2026-06-15T09:00:00Z"));
  });

  it("changing the email makes it unverified and sends a code to the new address", async () => {
    const { email, code } = await registered();
    await post("/api/auth/verify-email", { email, otp: code });
    const token = (await post("/api/auth/login", { email, password: STRONG_PASSWORD })).json().token;
    const res = await t.app.inject({ method: "PUT", url: "/api/auth/profile", headers: { authorization: `Bearer ${token}` }, payload: { email: `moved${n}@example.dz` } });
    expect(res.json()).toMatchObject({ user: { email: `moved${n}@example.dz`, emailVerified: false }, verificationEmailSent: true });
    expect(smtp.latestCode(`moved${n}@example.dz`)).toMatch(/^\d{6}$/);
  });
});

describe("when the email cannot be sent", () => {
  it("registration keeps the account and reports verificationEmailSent: false; send_failed is logged", async () => {
    const failing = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, EMAIL_PASS: "wrong-app-password" });
    try {
      const res = await failing.app.inject({ method: "POST", url: "/api/auth/register", payload: { email: "unlucky@example.dz", password: STRONG_PASSWORD, name: "Unlucky" } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ verificationEmailSent: false, user: { email: "unlucky@example.dz" } });
      expect(await failing.app.database.db.select().from(users).where(eq(users.email, "unlucky@example.dz"))).toHaveLength(1);
      const events = (await failing.app.database.db.select().from(otpLogs).where(eq(otpLogs.email, "unlucky@example.dz"))).map((e) => e.event);
      expect(events).toContain("send_failed");
      // The failed send does not hold the resend back.
      expect((await failing.app.inject({ method: "POST", url: "/api/auth/resend-verification", payload: { email: "unlucky@example.dz" } })).statusCode).toBe(200);
    } finally {
      await failing.close();
    }
  });
});
