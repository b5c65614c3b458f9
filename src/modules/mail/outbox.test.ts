import net from "node:net";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../app.js";
import { mailOutbox } from "../../db/schema/index.js";
import { runDoctor } from "../../cli/doctor.js";
import { createStaff, FAST_AUTH_ENV, signIn, STRONG_PASSWORD } from "../../../test/support/accounts.js";
import { buildTestApp, onPostgres, type TestApp, testConfig } from "../../../test/support/app.js";
import { deliverMail } from "../../../test/support/mail.js";
import { startCapturingSmtp } from "../../../test/support/smtp.js";
import { enqueueMail } from "./outbox.js";

/** A real SMTP server that takes `delayMs` to accept each message. */
async function startSlowSmtp(delayMs: number) {
  const received: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth: (_auth, _session, cb) => cb(null, { user: "crm" }),
    onData(stream, session, cb) {
      stream.resume();
      stream.on("end", () =>
        setTimeout(() => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          cb();
        }, delayMs),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    received,
    env: {
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(port),
      SMTP_SECURE: "false",
      EMAIL_USER: "crm@example.dz",
      EMAIL_PASS: "app-password",
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const until = async (check: () => boolean, ms: number) => {
  const start = Date.now();
  while (!check() && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 20));
  return Date.now() - start;
};

describe("the request path never waits for SMTP (issue 11 item 7)", () => {
  let slow: Awaited<ReturnType<typeof startSlowSmtp>>;
  let t: TestApp;
  beforeAll(async () => {
    slow = await startSlowSmtp(1000);
    // A slow poll: delivery within 2 s below can only come from the wake-up after commit.
    t = await buildTestApp({ ...FAST_AUTH_ENV, ...slow.env, MAIL_POLL_SECONDS: "600", RATE_LIMIT_OTP_PER_IP: "1000" });
  });
  afterAll(async () => {
    await t.close();
    await slow.close();
  });

  it("an SMTP server that takes 1 s does not delay the answer; the mail still goes out", async () => {
    const staff = await createStaff(t.app);
    await t.app.inject({ method: "GET", url: "/health" }); // the app is ready before timing starts
    const started = Date.now();
    const res = await t.app.inject({
      method: "POST",
      url: "/api/request-otp",
      payload: { email: staff.email, phone: staff.user.phone },
    });
    const answeredIn = Date.now() - started;
    expect(res.statusCode).toBe(200);
    // Awaiting this SMTP server takes at least 1 s by itself.
    expect(answeredIn).toBeLessThan(1000);
    expect(slow.received).not.toContain(staff.email);
    await until(() => slow.received.includes(staff.email), 5000);
    expect(slow.received).toContain(staff.email);
  });

  it("request, resend and verification routes answer the same status and body for real and unknown inputs", async () => {
    const real = await createStaff(t.app);
    const unverified = await createStaff(t.app, { emailVerified: false });
    const ghost = { email: "ghost.person@example.dz", phone: "0661 55 44 33" };
    const call = (url: string, payload: object) => t.app.inject({ method: "POST", url, payload });
    const same = async (url: string, payloads: object[]) => {
      const answers = await Promise.all(payloads.map((p) => call(url, p)));
      for (const a of answers) {
        expect(a.statusCode, url).toBe(answers[0]!.statusCode);
        expect(JSON.parse(a.body).error?.code ?? a.body, url).toEqual(
          JSON.parse(answers[0]!.body).error?.code ?? answers[0]!.body,
        );
        expect({ ...JSON.parse(a.body), requestId: undefined }, url).toEqual({
          ...JSON.parse(answers[0]!.body),
          requestId: undefined,
        });
      }
      return answers[0]!;
    };
    const requested = await same("/api/request-otp", [
      { email: real.email, phone: real.user.phone },
      { email: ghost.email, phone: ghost.phone },
      { email: unverified.email, phone: unverified.user.phone },
    ]);
    expect(requested.statusCode).toBe(200);
    // Inside the cooldown: the generic answer for everyone, whether a code was held back or not.
    const resent = await same("/api/resend-otp", [
      { email: real.email },
      { email: ghost.email },
      { email: unverified.email },
    ]);
    expect(resent.statusCode).toBe(200);
    // A real address named with someone else's phone looks like an unknown one on every later step too.
    const other = await createStaff(t.app);
    await same("/api/request-otp", [
      { email: other.email, phone: ghost.phone },
      { email: ghost.email, phone: ghost.phone },
    ]);
    const wrong = await same("/api/verify-otp", [
      { email: other.email, otp: "000000" },
      { email: ghost.email, otp: "000000" },
      { email: unverified.email, otp: "000000" },
    ]);
    expect(wrong.json().error.code).toBe("INVALID_OTP");
    await same("/api/resend-otp", [{ email: other.email }, { email: ghost.email }]);
    await same("/api/auth/verify-email", [
      { email: real.email, otp: "123456" },
      { email: ghost.email, otp: "123456" },
      { email: unverified.email, otp: "123456" },
    ]);
    // Twice: the second call is inside the cooldown for the unverified account, and still answers 200.
    for (let i = 0; i < 2; i++) {
      const r = await same("/api/auth/resend-verification", [
        { email: real.email },
        { email: ghost.email },
        { email: unverified.email },
      ]);
      expect(r.statusCode).toBe(200);
    }
  });
});

describe("delivery with SMTP up", () => {
  it("takes under 2 s: the worker is woken right after the commit, not by its (here 10-minute) poll", async () => {
    const smtp = await startCapturingSmtp();
    const t = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, MAIL_POLL_SECONDS: "600" });
    try {
      const staff = await createStaff(t.app);
      await t.app.inject({ method: "GET", url: "/health" });
      const started = Date.now();
      const res = await t.app.inject({ method: "POST", url: "/reset-password", payload: { email: staff.email } });
      expect(res.statusCode).toBe(200);
      await until(() => smtp.to(staff.email).length > 0, 5000);
      expect(smtp.to(staff.email)).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});

describe("several instances on one database", () => {
  // Two processes can share PostgreSQL only; the embedded database is one process's.
  it.runIf(onPostgres)("deliver each queued message exactly once (FOR UPDATE SKIP LOCKED)", async () => {
    const smtp = await startCapturingSmtp();
    const t = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, MAIL_POLL_SECONDS: "600" });
    const second = await buildApp(
      testConfig({ ...t.database.env, ...FAST_AUTH_ENV, ...smtp.env, MAIL_POLL_SECONDS: "600" }),
    );
    try {
      const now = new Date();
      await t.app.database.db.transaction(async (tx) => {
        for (let i = 0; i < 40; i++)
          await enqueueMail(
            tx,
            { kind: "test", to: `many${i}@example.dz`, subject: `n${i}`, text: "x", html: "<p>x</p>" },
            now,
          );
      });
      await Promise.all([
        t.app.services.mailOutbox.drain(),
        second.services.mailOutbox.drain(),
        t.app.services.mailOutbox.drain(),
      ]);
      const delivered = smtp.messages.flatMap((m) => m.to).filter((a) => a.startsWith("many"));
      expect(delivered).toHaveLength(40);
      expect(new Set(delivered).size).toBe(40);
      const rows = await t.app.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, "test"));
      expect(rows.every((r) => r.status === "sent" && r.attempts === 1 && r.textBody === null)).toBe(true);
    } finally {
      await second.close();
      await t.close();
      await smtp.close();
    }
  });
});

describe("the worker's life", () => {
  it("starts with the app and stops on close: mail queued after close waits in the table for the next start", async () => {
    const smtp = await startCapturingSmtp();
    const t = await buildTestApp({ ...FAST_AUTH_ENV, ...smtp.env, MAIL_POLL_SECONDS: "0.05" });
    try {
      const now = new Date();
      await t.app.ready();
      await t.app.database.db.transaction((tx) =>
        enqueueMail(tx, { kind: "test", to: "polled@example.dz", subject: "s", text: "x", html: "x" }, now),
      );
      // Not woken: the poll (started with the app) finds it.
      await until(() => smtp.to("polled@example.dz").length > 0, 3000);
      expect(smtp.to("polled@example.dz")).toHaveLength(1);
      await t.app.services.mailOutbox.stop();
      await t.app.database.db.transaction((tx) =>
        enqueueMail(tx, { kind: "test", to: "after-stop@example.dz", subject: "s", text: "x", html: "x" }, now),
      );
      t.app.services.mailOutbox.wake();
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.to("after-stop@example.dz")).toHaveLength(0);
      const [row] = await t.app.database.db
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.toAddress, "after-stop@example.dz"));
      expect(row?.status).toBe("pending");
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});

describe("operators see failures", () => {
  it("GET /api/admin/email-outbox is for admins, paginated; crm doctor reports undelivered mail with the fix", async () => {
    const smtp = await startCapturingSmtp();
    const t = await buildTestApp({
      ...FAST_AUTH_ENV,
      ...smtp.env,
      EMAIL_PASS: "not-an-app-password",
      MAIL_MAX_ATTEMPTS: "1",
    });
    try {
      const agent = await createStaff(t.app);
      const admin = await createStaff(t.app, { role: "admin" });
      for (let i = 0; i < 3; i++)
        await t.app.inject({ method: "POST", url: "/reset-password", payload: { email: agent.email } });
      await deliverMail(t.app);
      const agentAuth = (await signIn(t.app, agent.email, STRONG_PASSWORD)).auth;
      expect(
        (await t.app.inject({ method: "GET", url: "/api/admin/email-outbox", headers: agentAuth })).statusCode,
      ).toBe(403);
      const { auth } = await signIn(t.app, admin.email);
      const first = await t.app.inject({ method: "GET", url: "/api/admin/email-outbox?limit=2", headers: auth });
      expect(first.statusCode).toBe(200);
      expect(first.json().data).toHaveLength(2);
      expect(first.json().data[0]).toMatchObject({ status: "failed", attempts: 1, category: "SMTP_AUTH_REJECTED" });
      expect(Object.keys(first.json().data[0])).not.toEqual(expect.arrayContaining(["text", "html", "textBody"]));
      const next = await t.app.inject({
        method: "GET",
        url: `/api/admin/email-outbox?limit=2&cursor=${first.json().page.nextCursor}`,
        headers: auth,
      });
      expect(next.json().data.length).toBeGreaterThanOrEqual(1);
      expect(next.json().data[0].id).not.toBe(first.json().data[1].id);

      if (onPostgres) {
        // crm doctor opens its own connection: only PostgreSQL is shared with this process.
        const results = await runDoctor({ ...t.database.env, NODE_ENV: "test" });
        const outbox = results.find((r) => r.name === "mail outbox");
        expect(outbox).toMatchObject({ ok: false, category: "SMTP_AUTH_REJECTED" });
        expect(outbox?.fix).toContain("app password");
      }
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});
