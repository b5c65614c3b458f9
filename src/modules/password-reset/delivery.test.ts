import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, mailOutbox, otpLogs } from "../../db/schema/index.js";
import { createStaff, FAST_AUTH_ENV, signIn } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { closedPort } from "../../../test/support/fake-servers.js";
import { deliverMail } from "../../../test/support/mail.js";
import { startCapturingSmtp, startSilentServer } from "../../../test/support/smtp.js";

const lastEvents = async (t: TestApp, email: string) =>
  (await t.app.database.db.select().from(otpLogs).where(eq(otpLogs.email, email)).orderBy(desc(otpLogs.id))).map(
    (r) => r.event,
  );
const outboxFor = async (t: TestApp, email: string) =>
  t.app.database.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, email));
const GENERIC = { message: "If the account exists, a code has been sent" };

describe("SMTP failures reach operators, not callers (issue 11: no more 502)", () => {
  it("a rejected login (535): the same 200 as an unknown account; retried with backoff up to MAIL_MAX_ATTEMPTS; send_failed, audit and admin view", async () => {
    const smtp = await startCapturingSmtp();
    const t = await buildTestApp({
      ...FAST_AUTH_ENV,
      ...smtp.env,
      EMAIL_PASS: "my-normal-gmail-password",
      MAIL_MAX_ATTEMPTS: "2",
      MAIL_RETRY_SECONDS: "0.3",
    });
    try {
      const staff = await createStaff(t.app);
      const res = await t.app.inject({
        method: "POST",
        url: "/api/request-otp",
        payload: { email: staff.email, phone: staff.user.phone },
      });
      const unknown = await t.app.inject({
        method: "POST",
        url: "/api/request-otp",
        payload: { email: "ghost@example.dz", phone: staff.user.phone },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(GENERIC);
      expect(unknown.statusCode).toBe(200);
      expect(unknown.body).toBe(res.body);

      await deliverMail(t.app);
      let [row] = await outboxFor(t, staff.email);
      expect(row).toMatchObject({
        kind: "password_reset_code",
        status: "pending",
        attempts: 1,
        errorCategory: "SMTP_AUTH_REJECTED",
      });
      expect(row?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
      expect((await lastEvents(t, staff.email))[0]).toBe("send_failed");
      const [audit] = await t.app.database.db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.action, "email.delivery_failed"), eq(auditLogs.entityId, row!.id)));
      expect(audit?.details).toMatchObject({
        category: "SMTP_AUTH_REJECTED",
        attempt: 1,
        final: false,
        kind: "password_reset_code",
      });
      expect(String(audit?.details.fix)).toContain("app password");

      // Not due yet: a drain does nothing; after the backoff the second (last) attempt gives up.
      await deliverMail(t.app);
      expect((await outboxFor(t, staff.email))[0]?.attempts).toBe(1);
      await new Promise((r) => setTimeout(r, 350));
      await deliverMail(t.app);
      [row] = await outboxFor(t, staff.email);
      expect(row).toMatchObject({ status: "failed", attempts: 2, textBody: null, htmlBody: null });

      const admin = await createStaff(t.app, { role: "admin" });
      const { auth } = await signIn(t.app, admin.email);
      const list = await t.app.inject({ method: "GET", url: "/api/admin/email-outbox?status=failed", headers: auth });
      expect(list.statusCode).toBe(200);
      expect(list.json().data[0]).toMatchObject({
        to: staff.email,
        status: "failed",
        attempts: 2,
        maxAttempts: 2,
        category: "SMTP_AUTH_REJECTED",
      });
      expect(list.json().data[0].fix).toContain("app password");
      expect(list.body).not.toMatch(/Your code|my-normal-gmail-password/);
    } finally {
      await t.close();
      await smtp.close();
    }
  });

  it("nothing listening → SMTP_UNREACHABLE; a silent server → SMTP_TIMEOUT; the caller gets 200 at once either way", async () => {
    const silent = await startSilentServer();
    const closed = await closedPort();
    const unreachable = await buildTestApp({
      ...FAST_AUTH_ENV,
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(closed),
      EMAIL_USER: "a@b.dz",
      EMAIL_PASS: "x",
    });
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
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ message: "OTP sent successfully" });
        await deliverMail(t.app);
        expect((await outboxFor(t, staff.email))[0]).toMatchObject({ status: "pending", errorCategory: category });
        expect(await lastEvents(t, staff.email)).toContain("send_failed");
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
    const res = await t.app.inject({
      method: "POST",
      url: "/api/request-otp",
      payload: { email: staff.email, phone: staff.user.phone },
    });
    expect(res.statusCode).toBe(200);
    const { otp } = res.json();
    expect(otp).toMatch(/^\d{6}$/);
    const outbox = await t.app.inject({ method: "GET", url: "/api/dev/outbox" });
    expect(outbox.json().transport).toBe("console");
    expect(outbox.json().data[0]).toMatchObject({ to: staff.email, subject: "Your password reset code" });
    expect(outbox.json().data[0].text).toContain(`Your code: ${otp}`);
    const verified = await t.app.inject({
      method: "POST",
      url: "/api/verify-otp",
      payload: { email: staff.email, otp },
    });
    expect(verified.statusCode).toBe(200);
  });

  it("is not served in production", async () => {
    const prod = await buildTestApp({
      ...FAST_AUTH_ENV,
      NODE_ENV: "production",
      JWT_SECRET: "p".repeat(40),
      EMAIL_USER: "ops@example.dz",
      CORS_ORIGINS: "",
    });
    try {
      expect((await prod.app.inject({ method: "GET", url: "/api/dev/outbox" })).statusCode).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
