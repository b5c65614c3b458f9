import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otpLogs } from "../../db/schema/index.js";
import { createStaff, FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { closedPort } from "../../../test/support/fake-servers.js";
import { startCapturingSmtp, startSilentServer } from "../../../test/support/smtp.js";

const lastEvents = async (t: TestApp, email: string) =>
  (await t.app.database.db.select().from(otpLogs).where(eq(otpLogs.email, email)).orderBy(desc(otpLogs.id))).map((r) => r.event);

describe("SMTP failures", () => {
  it("a rejected login (535) → 502 SMTP_AUTH_REJECTED, send_failed logged, resend not held by the cooldown", async () => {
    const smtp = await startCapturingSmtp();
    const t = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, EMAIL_PASS: "my-normal-gmail-password" });
    try {
      const staff = await createStaff(t.app);
      const res = await t.app.inject({ method: "POST", url: "/api/request-otp", payload: { email: staff.email, phone: staff.user.phone } });
      expect(res.statusCode).toBe(502);
      expect(res.json().error).toEqual({
        code: "EMAIL_DELIVERY_FAILED",
        message: "The email could not be sent: the SMTP server rejected the login (use an app password)",
        category: "SMTP_AUTH_REJECTED",
      });
      expect(res.body).not.toContain("my-normal-gmail-password");
      expect((await lastEvents(t, staff.email))[0]).toBe("send_failed");
      const resend = await t.app.inject({ method: "POST", url: "/api/resend-otp", payload: { email: staff.email } });
      expect(resend.statusCode).toBe(502);
      expect(resend.json().error.category).toBe("SMTP_AUTH_REJECTED");
    } finally {
      await t.close();
      await smtp.close();
    }
  });

  it("nothing listening → 502 SMTP_UNREACHABLE; a silent server → 502 SMTP_TIMEOUT after SMTP_TIMEOUT_MS", async () => {
    const silent = await startSilentServer();
    const closed = await closedPort();
    const unreachable = await buildTestApp({ ...FAST_AUTH_ENV, SMTP_HOST: "127.0.0.1", SMTP_PORT: String(closed), EMAIL_USER: "a@b.dz", EMAIL_PASS: "x" });
    const hanging = await buildTestApp({
      ...FAST_AUTH_ENV,
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(silent.port),
      EMAIL_USER: "a@b.dz",
      EMAIL_PASS: "x",
      SMTP_TIMEOUT_MS: "300",
    });
    try {
      for (const [t, category] of [
        [unreachable, "SMTP_UNREACHABLE"],
        [hanging, "SMTP_TIMEOUT"],
      ] as const) {
        const staff = await createStaff(t.app);
        const res = await t.app.inject({ method: "POST", url: "/reset-password", payload: { email: staff.email } });
        expect(res.statusCode).toBe(502);
        expect(res.json().error).toMatchObject({ code: "EMAIL_DELIVERY_FAILED", category });
      }
    } finally {
      await unreachable.close();
      await hanging.close();
      await silent.close();
    }
  });
});

describe("development mail", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ ...FAST_AUTH_ENV, OTP_IN_RESPONSE: "true" });
  });
  afterAll(async () => t.close());

  it("without EMAIL_USER the console transport keeps messages in /api/dev/outbox; OTP_IN_RESPONSE adds the code", async () => {
    const staff = await createStaff(t.app);
    const res = await t.app.inject({ method: "POST", url: "/api/request-otp", payload: { email: staff.email, phone: staff.user.phone } });
    expect(res.statusCode).toBe(200);
    const { otp } = res.json();
    expect(otp).toMatch(/^\d{6}$/);
    const outbox = await t.app.inject({ method: "GET", url: "/api/dev/outbox" });
    expect(outbox.json().transport).toBe("console");
    expect(outbox.json().data[0]).toMatchObject({ to: staff.email, subject: "Your password reset code" });
    expect(outbox.json().data[0].text).toContain(`Your code: ${otp}`);
    const verified = await t.app.inject({ method: "POST", url: "/api/verify-otp", payload: { email: staff.email, otp } });
    expect(verified.statusCode).toBe(200);
  });

  it("is not served in production", async () => {
    const prod = await buildTestApp({ ...FAST_AUTH_ENV, NODE_ENV: "production", JWT_SECRET: "p".repeat(40), EMAIL_USER: "ops@example.dz", CORS_ORIGINS: "" });
    try {
      expect((await prod.app.inject({ method: "GET", url: "/api/dev/outbox" })).statusCode).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
