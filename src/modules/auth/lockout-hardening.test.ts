import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../app.js";
import { createDatabase } from "../../db/client.js";
import { auditLogs, loginHistory, users } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createStaff, FAST_AUTH_ENV, login, STRONG_PASSWORD, signIn } from "../../../test/support/accounts.js";
import { buildTestApp, createTestDatabase, onPostgres, type TestApp, testConfig } from "../../../test/support/app.js";

// Every sign-in password that reaches bcrypt is counted by the app (services.counters.passwordChecks).
let counted: TestApp["app"][] = [];
let baseline = 0;
const totalChecks = () => counted.reduce((sum, app) => sum + app.services.counters.passwordChecks, 0);
/** Counts compares from now on, over these app instances. */
function startCounting(...apps: TestApp["app"][]) {
  counted = apps;
  baseline = totalChecks();
}
const compares = () => totalChecks() - baseline;

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
const clock = manualClock(new Date("2026-05-04T09:00:00Z"));
type App = TestApp["app"];

const loginFrom = (app: App, ip: string, identifier: string, password: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: "POST",
    url: "/api/auth/login",
    remoteAddress: ip,
    headers,
    payload: { emailOrPhone: identifier, password },
  });
const statuses = (responses: { statusCode: number }[]) =>
  responses.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.statusCode]: (acc[r.statusCode] ?? 0) + 1 }), {});
const wrong = (i: number) => `Wrong-Guess-${i}-Xy!`;

describe("parallel guesses cannot get past the lockout", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(
      {
        ...FAST_AUTH_ENV,
        LOCKOUT_THRESHOLD: "5",
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: "1000",
        RATE_LIMIT_LOGIN_FAILURES_PER_IP: "100000",
      },
      { clock },
    );
  });
  afterAll(async () => t.close());
  beforeEach(() => startCounting(t.app));

  it("100 concurrent wrong passwords: at most 5 reach bcrypt, the rest 423; then the right one is refused", async () => {
    const { email } = await createStaff(t.app);
    startCounting(t.app);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => login(t.app, email, wrong(i))));
    expect(compares()).toBe(5);
    expect(statuses(answers)).toEqual({ 401: 5, 423: 95 });
    const right = await login(t.app, email, STRONG_PASSWORD);
    expect(right.statusCode).toBe(423);
    expect(compares()).toBe(5);
  });

  it("99 wrong and the right one all at once never unlock the account", async () => {
    const { email } = await createStaff(t.app);
    const answers = await Promise.all([
      ...Array.from({ length: 99 }, (_, i) => login(t.app, email, wrong(i))),
      login(t.app, email, STRONG_PASSWORD),
    ]);
    const ok = answers.filter((r) => r.statusCode === 200).length;
    // The right password may win a slot among the first five; whatever it does, the lock holds after.
    expect(ok).toBeLessThanOrEqual(1);
    expect(compares()).toBeLessThanOrEqual(5);
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(ok === 1 ? 200 : 423);
  });

  it("unknown identifiers are counted too: 423 at the same threshold, in the same shape", async () => {
    const ghost = `ghost-${randomBytes(4).toString("hex")}@example.dz`;
    const { email } = await createStaff(t.app);
    const forGhost = [];
    const forReal = [];
    for (let i = 0; i < 6; i++) {
      forGhost.push(await login(t.app, ghost, wrong(i)));
      forReal.push(await login(t.app, email, wrong(i)));
    }
    expect(forGhost.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401, 423]);
    expect(forReal.map((r) => r.statusCode)).toEqual(forGhost.map((r) => r.statusCode));
    expect(Object.keys(forGhost[5]!.json().error).sort()).toEqual(Object.keys(forReal[5]!.json().error).sort());
    expect(forGhost[5]!.json().error).toEqual(forReal[5]!.json().error);
  });

  it("an automatic lock stops new sign-ins but leaves live sessions alone", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    for (let i = 0; i < 5; i++) await login(t.app, email, wrong(i));
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(423);
    const me = await t.app.inject({ method: "GET", url: "/api/auth/me", headers: session.auth });
    expect(me.statusCode).toBe(200);
    const refreshed = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh: session.refresh },
    });
    expect(refreshed.statusCode).toBe(200);
  });

  it("300 wrong passwords from one IP with default limits: at most 5 compares", async () => {
    const d = await buildTestApp({ ...FAST_AUTH_ENV });
    try {
      const { email } = await createStaff(d.app);
      startCounting(d.app);
      const answers = await Promise.all(
        Array.from({ length: 300 }, (_, i) => loginFrom(d.app, "198.51.100.20", email, wrong(i))),
      );
      expect(compares()).toBeLessThanOrEqual(5);
      expect(compares()).toBe(answers.filter((r) => r.statusCode === 401).length);
      expect(answers.every((r) => [401, 423, 429].includes(r.statusCode))).toBe(true);
      expect(answers.filter((r) => r.statusCode === 401).length).toBeLessThanOrEqual(5);
    } finally {
      await d.close();
    }
  });

  it.runIf(onPostgres && TEST_REDIS_URL)("holds across two instances on one database and one Redis", async () => {
    const db = await createTestDatabase();
    const database = await createDatabase(testConfig(db.env).database);
    const env = {
      ...db.env,
      ...FAST_AUTH_ENV,
      LOCKOUT_THRESHOLD: "5",
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: "1000",
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: "100000",
      REDIS_URL: TEST_REDIS_URL!,
      REDIS_KEY_PREFIX: `crm-test-${randomBytes(4).toString("hex")}:`,
    };
    const a = await buildApp(testConfig(env), { database });
    const b = await buildApp(testConfig(env), { database });
    try {
      const { email } = await createStaff(a);
      startCounting(a, b);
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => login(i % 2 ? a : b, email, wrong(i))));
      expect(compares()).toBe(5);
      expect(statuses(answers)).toEqual({ 401: 5, 423: 95 });
      expect((await login(a, email, STRONG_PASSWORD)).statusCode).toBe(423);
      expect((await login(b, email, STRONG_PASSWORD)).statusCode).toBe(423);
    } finally {
      await a.close();
      await b.close();
      await database.close();
      await db.drop();
    }
  });
});

describe("refresh failures are counted before they are checked", () => {
  it("60 bogus refresh tokens at once with a limit of 50: exactly 50 are checked", async () => {
    const t = await buildTestApp({ ...FAST_AUTH_ENV, RATE_LIMIT_REFRESH_FAILURES_PER_IP: "50" });
    try {
      const answers = await Promise.all(
        Array.from({ length: 60 }, () =>
          t.app.inject({
            method: "POST",
            url: "/api/auth/refresh",
            payload: { refresh: randomBytes(32).toString("base64url") },
          }),
        ),
      );
      expect(statuses(answers)).toEqual({ 401: 50, 429: 10 });
    } finally {
      await t.close();
    }
  });
});

describe("trusted networks", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(
      {
        ...FAST_AUTH_ENV,
        LOCKOUT_THRESHOLD: "3",
        TRUSTED_NETWORKS: "10.0.0.0/8, 192.0.2.15",
        RATE_LIMIT_LOGIN_FAILURES_PER_IP: "20",
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: "1000",
      },
      { clock },
    );
  });
  afterAll(async () => t.close());

  it("failures from outside never lock out sign-ins from inside; the lockout is audited", async () => {
    const { user, email } = await createStaff(t.app);
    for (let i = 0; i < 4; i++) await loginFrom(t.app, "203.0.113.50", email, wrong(i));
    expect((await loginFrom(t.app, "203.0.113.51", email, STRONG_PASSWORD)).statusCode).toBe(423);
    expect((await loginFrom(t.app, "10.20.30.40", email, STRONG_PASSWORD)).statusCode).toBe(200);
    expect((await loginFrom(t.app, "192.0.2.15", email, STRONG_PASSWORD)).statusCode).toBe(200);
    const audits = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "security.lockout_from_untrusted_network"), eq(auditLogs.entityId, user.id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]?.details).toMatchObject({ ip: "203.0.113.50", scope: "untrusted" });
  });

  it("failures from inside lock everyone out", async () => {
    const { email } = await createStaff(t.app);
    for (let i = 0; i < 3; i++) await loginFrom(t.app, "10.0.0.7", email, wrong(i));
    expect((await loginFrom(t.app, "10.0.0.8", email, STRONG_PASSWORD)).statusCode).toBe(423);
    expect((await loginFrom(t.app, "203.0.113.60", email, STRONG_PASSWORD)).statusCode).toBe(423);
  });

  it("per-IP limits do not apply inside; outside they do, to right passwords too", async () => {
    const { email } = await createStaff(t.app);
    for (let i = 0; i < 30; i++) await loginFrom(t.app, "10.9.9.9", `nobody${i}@example.dz`, wrong(i));
    expect((await loginFrom(t.app, "10.9.9.9", email, STRONG_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 20; i++) await loginFrom(t.app, "203.0.113.70", `nobody${i}@example.dz`, wrong(i));
    expect((await loginFrom(t.app, "203.0.113.70", email, STRONG_PASSWORD)).statusCode).toBe(429);
  });
});

describe("administrative and automatic locks are kept apart", () => {
  let t: TestApp;
  let adminAuth: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp(
      { ...FAST_AUTH_ENV, LOCKOUT_THRESHOLD: "3", OTP_IN_RESPONSE: "true", RATE_LIMIT_OTP_PER_IP: "1000" },
      { clock },
    );
    const admin = await createStaff(t.app, { role: "admin" });
    adminAuth = (await signIn(t.app, admin.email)).auth;
  });
  afterAll(async () => t.close());

  /** The whole self-service reset, with the code read from the development response. */
  async function resetPassword(email: string, phone: string, newPassword: string) {
    const requested = await t.app.inject({ method: "POST", url: "/api/request-otp", payload: { email, phone } });
    expect(requested.statusCode).toBe(200);
    const otp = requested.json().otp as string;
    const verified = await t.app.inject({ method: "POST", url: "/api/verify-otp", payload: { email, otp } });
    expect(verified.statusCode).toBe(200);
    const set = await t.app.inject({
      method: "POST",
      url: "/api/set-new-password",
      payload: { email, resetToken: verified.json().resetToken, newPassword },
    });
    expect(set.statusCode).toBe(200);
  }

  async function verifiedStaff() {
    const staff = await createStaff(t.app);
    await t.app.database.db.update(users).set({ emailVerifiedAt: clock.now() }).where(eq(users.id, staff.user.id));
    return staff;
  }

  it("a reset clears the automatic lock", async () => {
    const { user, email } = await verifiedStaff();
    for (let i = 0; i < 3; i++) await login(t.app, email, wrong(i));
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(423);
    await resetPassword(email, user.phone!, "Fresh-Meadow-Lantern-73");
    expect((await login(t.app, email, "Fresh-Meadow-Lantern-73")).statusCode).toBe(200);
  });

  it("a reset does not lift an administrator's lock; only an admin does", async () => {
    const { user, email } = await verifiedStaff();
    const session = await signIn(t.app, email);
    const locked = await t.app.inject({
      method: "POST",
      url: `/api/admin/users/${user.id}/lock`,
      headers: adminAuth,
      payload: { reason: "suspected fraud" },
    });
    expect(locked.statusCode).toBe(200);
    expect(locked.json()).toMatchObject({
      isLocked: true,
      lockedUntil: null,
      adminLock: { reason: "suspected fraud" },
    });
    // An admin lock ends live sessions at once.
    expect((await t.app.inject({ method: "GET", url: "/api/auth/me", headers: session.auth })).statusCode).toBe(401);

    await resetPassword(email, user.phone!, "Fresh-Meadow-Lantern-74");
    const refused = await login(t.app, email, "Fresh-Meadow-Lantern-74");
    expect(refused.statusCode).toBe(423);
    expect(refused.json().error).toMatchObject({ code: "ACCOUNT_LOCKED", lockedUntil: null });
    // Without the password the admin lock is not revealed: a wrong one is just wrong.
    expect((await login(t.app, email, wrong(1))).statusCode).toBe(401);

    await t.app.inject({
      method: "POST",
      url: `/api/admin/users/${user.id}/unlock`,
      headers: adminAuth,
      payload: { reason: "cleared" },
    });
    expect((await login(t.app, email, "Fresh-Meadow-Lantern-74")).statusCode).toBe(200);
  });

  it("the admin view shows an automatic lock with its end, and unlock lifts it", async () => {
    const { user, email } = await createStaff(t.app);
    for (let i = 0; i < 3; i++) await login(t.app, email, wrong(i));
    const view = await t.app.inject({ method: "GET", url: `/api/admin/users/${user.id}`, headers: adminAuth });
    expect(view.json()).toMatchObject({
      isLocked: true,
      adminLock: null,
      failedLoginAttempts: 3,
      lockedUntil: expect.any(String),
    });
    const lockedList = await t.app.inject({
      method: "GET",
      url: "/api/admin/users?locked=true&limit=100",
      headers: adminAuth,
    });
    expect(lockedList.json().data.map((u: { id: string }) => u.id)).toContain(user.id);
    await t.app.inject({
      method: "POST",
      url: `/api/admin/users/${user.id}/unlock`,
      headers: adminAuth,
      payload: { reason: "owner called" },
    });
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(200);
  });
});

describe("TRUST_PROXY", () => {
  const ipOf = async (t: TestApp, remoteAddress: string, forwardedFor: string) => {
    const { user, email } = await createStaff(t.app);
    await loginFrom(t.app, remoteAddress, email, STRONG_PASSWORD, { "x-forwarded-for": forwardedFor });
    const [row] = await t.app.database.db.select().from(loginHistory).where(eq(loginHistory.userId, user.id));
    return row?.ip;
  };

  it("false: X-Forwarded-For is ignored", async () => {
    const t = await buildTestApp({ ...FAST_AUTH_ENV, TRUST_PROXY: "false" });
    try {
      expect(await ipOf(t, "198.51.100.1", "203.0.113.9")).toBe("198.51.100.1");
    } finally {
      await t.close();
    }
  });

  it("a proxy list: believed only from those proxies, and only a parsed address is stored", async () => {
    const t = await buildTestApp({ ...FAST_AUTH_ENV, TRUST_PROXY: "127.0.0.1, 10.0.0.0/8" });
    try {
      expect(await ipOf(t, "127.0.0.1", "203.0.113.9")).toBe("203.0.113.9");
      expect(await ipOf(t, "10.1.1.1", "198.51.100.77, 10.2.2.2")).toBe("198.51.100.77");
      expect(await ipOf(t, "198.51.100.5", "203.0.113.9")).toBe("198.51.100.5");
      expect(await ipOf(t, "127.0.0.1", "not-an-address")).toBe("127.0.0.1");
    } finally {
      await t.close();
    }
  });

  it("a hop count: the client address is that many hops back, whatever the client wrote before it", async () => {
    const t = await buildTestApp({ ...FAST_AUTH_ENV, TRUST_PROXY: "1" });
    try {
      expect(await ipOf(t, "10.0.0.2", "1.2.3.4, 203.0.113.9")).toBe("203.0.113.9");
    } finally {
      await t.close();
    }
  });
});
