import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, emailVerifications, otpLogs, users } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV, STRONG_PASSWORD } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { deliverMail } from "../../../test/support/mail.js";
import { startCapturingSmtp } from "../../../test/support/smtp.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
let smtp: Awaited<ReturnType<typeof startCapturingSmtp>>;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  smtp = await startCapturingSmtp();
  t = await buildTestApp(
    { ...FAST_AUTH_ENV, ...smtp.env, REQUIRE_EMAIL_VERIFICATION: "true", RATE_LIMIT_OTP_PER_IP: "1000" },
    { clock },
  );
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
  await deliverMail(t.app);
  return { email, body: res.json(), code: smtp.latestCode(email)! };
}

describe("email verification", () => {
  it("registration emails a code; verifying it marks the user verified and audits it", async () => {
    const { email, body, code } = await registered();
    expect(body).toMatchObject({ verificationEmailSent: true, user: { emailVerified: false } });
    expect(code).toMatch(/^\d{6}$/);
    await deliverMail(t.app);
    expect(smtp.to(email)[0]?.raw).toContain("verify your email address");
    const res = await post("/api/auth/verify-email", { email, otp: code });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "Email verified" });
    const login = await post("/api/auth/login", { email, password: STRONG_PASSWORD });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.emailVerified).toBe(true);
    const [user] = await t.app.database.db.select().from(users).where(eq(users.email, email));
    expect(
      await t.app.database.db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.action, "user.email_verified"), eq(auditLogs.entityId, user!.id))),
    ).toHaveLength(1);
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

  it("every failed check answers alike: wrong, blocked (after 5 wrong), expired, unknown or verified address", async () => {
    const notAccepted = {
      code: "INVALID_OTP",
      message: "The code is not correct or is no longer valid; request a new one",
    };
    const { email, code } = await registered();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await post("/api/auth/verify-email", { email, otp: wrong(code) }));
    // The code is blocked inside, but the answer does not say so.
    answers.push(await post("/api/auth/verify-email", { email, otp: code }));
    answers.push(await post("/api/auth/verify-email", { email: "nobody.here@example.dz", otp: code }));
    const other = await registered();
    await post("/api/auth/verify-email", { email: other.email, otp: other.code });
    answers.push(await post("/api/auth/verify-email", { email: other.email, otp: other.code }));
    const late = await registered();
    clock.advance(601_000);
    answers.push(await post("/api/auth/verify-email", { email: late.email, otp: late.code }));
    clock.set(new Date("2026-06-15T09:00:00Z"));
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual(notAccepted);
    }
    const [user] = await t.app.database.db.select().from(users).where(eq(users.email, email));
    expect(user?.emailVerifiedAt).toBeNull();
    const events = (await t.app.database.db.select().from(otpLogs).where(eq(otpLogs.email, email))).map((e) => e.event);
    expect(events).toContain("blocked");
    // Inside, each code ended as its rule says (the shared otp code store).
    const statusOf = async (address: string) =>
      (await t.app.database.db.select().from(emailVerifications).where(eq(emailVerifications.email, address)))
        .map((r) => [r.status, r.attempts])
        .sort();
    expect(await statusOf(email)).toEqual([["blocked", 5]]);
    expect(await statusOf(late.email)).toEqual([["expired", 0]]);
  });

  it("resend: one answer for every address; cooldown and cap hold mail back silently; the old code stops working", async () => {
    const ok = { message: "If the address needs verifying, a new code has been sent" };
    expect((await post("/api/auth/resend-verification", { email: "nobody@example.dz" })).json()).toEqual(ok);
    const { email, code } = await registered();
    const early = await post("/api/auth/resend-verification", { email });
    expect(early.statusCode).toBe(200);
    expect(early.json()).toEqual(ok);
    await deliverMail(t.app);
    expect(smtp.to(email)).toHaveLength(1);
    let current = code;
    for (let i = 1; i <= 3; i++) {
      clock.advance(61_000);
      expect((await post("/api/auth/resend-verification", { email })).json()).toEqual(ok);
      await deliverMail(t.app);
      const next = smtp.latestCode(email)!;
      if (next !== current)
        expect((await post("/api/auth/verify-email", { email, otp: current })).statusCode).toBe(400);
      current = next;
    }
    clock.advance(61_000);
    const fourth = await post("/api/auth/resend-verification", { email });
    expect(fourth.statusCode).toBe(200);
    expect(fourth.json()).toEqual(ok);
    await deliverMail(t.app);
    expect(smtp.to(email)).toHaveLength(4);
    expect((await post("/api/auth/verify-email", { email, otp: current })).statusCode).toBe(200);
    expect((await post("/api/auth/resend-verification", { email })).json()).toEqual(ok);
    clock.set(new Date("2026-06-15T09:00:00Z"));
  });
});

describe("when the email cannot be sent", () => {
  it("registration keeps the account and answers as usual; send_failed is logged by the outbox worker", async () => {
    const failing = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, EMAIL_PASS: "wrong-app-password" });
    try {
      const res = await failing.app.inject({
        method: "POST",
        url: "/api/auth/register",
        payload: { email: "unlucky@example.dz", password: STRONG_PASSWORD, name: "Unlucky" },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ verificationEmailSent: true, user: { email: "unlucky@example.dz" } });
      expect(
        await failing.app.database.db.select().from(users).where(eq(users.email, "unlucky@example.dz")),
      ).toHaveLength(1);
      await deliverMail(failing.app);
      const events = (
        await failing.app.database.db.select().from(otpLogs).where(eq(otpLogs.email, "unlucky@example.dz"))
      ).map((e) => e.event);
      expect(events).toContain("send_failed");
      expect(
        (
          await failing.app.inject({
            method: "POST",
            url: "/api/auth/resend-verification",
            payload: { email: "unlucky@example.dz" },
          })
        ).statusCode,
      ).toBe(200);
    } finally {
      await failing.close();
    }
  });
});
