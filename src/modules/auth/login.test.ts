import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, loginHistory, loginLockouts, users } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { createStaff, FAST_AUTH_ENV, login, STRONG_PASSWORD, signIn } from "../../../test/support/accounts.js";

const clock = manualClock(new Date("2026-03-01T08:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV, LOCKOUT_THRESHOLD: "3", LOCKOUT_MINUTES: "15" }, { clock });
});
afterAll(async () => t.close());

const db = () => t.app.database.db;

describe("login", () => {
  it("answers with tokens, the seed's fields and the user, and records history and audit", async () => {
    const { user, email } = await createStaff(t.app, { name: "Samira K" });
    const res = await login(t.app, email.toUpperCase(), STRONG_PASSWORD, { "user-agent": "softphone/1.0" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      message: "Login successful",
      token: expect.any(String),
      refresh: expect.any(String),
      expiresIn: 900,
      username: "Samira K",
      email,
      user: { id: user.id, email, role: "agent", isActive: true, lastLoginAt: clock.now().toISOString() },
    });
    expect(body.user.passwordHash).toBeUndefined();
    expect(res.body).not.toContain("$2b$");
    const history = await db().select().from(loginHistory).where(eq(loginHistory.userId, user.id));
    expect(history).toMatchObject([{ success: true, userAgent: "softphone/1.0" }]);
    const audit = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "auth.login"), eq(auditLogs.actorId, user.id)));
    expect(audit).toHaveLength(1);
  });

  it("accepts the phone in any format, and email or phone fields", async () => {
    const { email } = await createStaff(t.app, { phone: "+213661112233" });
    for (const identifier of ["0661 11 22 33", "+213661112233", "213661112233", "00213661112233"]) {
      expect((await login(t.app, identifier, STRONG_PASSWORD)).statusCode, identifier).toBe(200);
    }
    const byEmail = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { email, password: STRONG_PASSWORD },
    });
    expect(byEmail.statusCode).toBe(200);
    const byPhone = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { phone: "0661112233", password: STRONG_PASSWORD },
    });
    expect(byPhone.statusCode).toBe(200);
  });

  it("requires an identifier", async () => {
    const res = await t.app.inject({ method: "POST", url: "/api/auth/login", payload: { password: "x" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: "/emailOrPhone", message: "is required" }]);
  });

  it("gives an unknown account exactly the wrong-password answer", async () => {
    const { email } = await createStaff(t.app);
    const wrong = await login(t.app, email, "Wrong-Password-123!");
    const unknown = await login(t.app, "nobody-here@example.dz", "Wrong-Password-123!");
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error).toEqual(wrong.json().error);
    expect(unknown.json().error).toEqual({ code: "INVALID_CREDENTIALS", message: "Invalid email/phone or password" });
    expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(wrong.headers).sort());
    const [failed] = await db()
      .select()
      .from(loginHistory)
      .where(eq(loginHistory.identifier, "nobody-here@example.dz"));
    expect(failed).toMatchObject({ success: false, reason: "unknown_account", userId: null });
  });

  it("spends bcrypt time on unknown accounts too (dummy hash)", async () => {
    const cost10 = await buildTestApp({ BCRYPT_COST: "10" });
    try {
      const { email } = await createStaff(cost10.app);
      const time = async (identifier: string) => {
        const start = performance.now();
        await login(cost10.app, identifier, "Wrong-Password-123!");
        return performance.now() - start;
      };
      await time("warm-up@example.dz");
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        known.push(await time(email));
        unknown.push(await time(`ghost${i}@example.dz`));
      }
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
      // Cost 10 is ~50 ms of bcrypt; without the dummy hash an unknown account answers in ~2 ms.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    } finally {
      await cost10.close();
    }
  });

  it("does not let bytes after the 72nd be ignored", async () => {
    const base = `${"Ab1-".repeat(18)}`; // 72 bytes
    const { email } = await createStaff(t.app, { password: `${base}tail-one` });
    expect((await login(t.app, email, `${base}tail-one`)).statusCode).toBe(200);
    expect((await login(t.app, email, `${base}tail-two`)).statusCode).toBe(401);
  });
});

describe("lockout", () => {
  it("locks after exactly the threshold of consecutive failures, then unlocks after the duration", async () => {
    const { user, email } = await createStaff(t.app);
    for (let i = 1; i <= 3; i++) {
      const res = await login(t.app, email, `Wrong-Password-${i}!`);
      expect(res.statusCode, `attempt ${i}`).toBe(401);
    }
    const locked = await login(t.app, email, STRONG_PASSWORD);
    expect(locked.statusCode).toBe(423);
    const expectedUntil = new Date(clock.now().getTime() + 15 * 60_000).toISOString();
    expect(locked.json().error).toEqual({
      code: "ACCOUNT_LOCKED",
      message: "The account is locked; try again later",
      lockedUntil: expectedUntil,
    });
    const lockAudits = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "user.locked"), eq(auditLogs.entityId, user.id)));
    expect(lockAudits).toHaveLength(1);

    clock.advance(14 * 60_000);
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(423);
    clock.advance(61_000);
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(200);
    expect(await db().select().from(loginLockouts).where(eq(loginLockouts.userId, user.id))).toEqual([]);
    const unlocks = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "user.unlocked"), eq(auditLogs.entityId, user.id)));
    expect(unlocks).toHaveLength(1);
  });

  it("a success resets the counter, so failures must be consecutive", async () => {
    const { email } = await createStaff(t.app);
    await login(t.app, email, "Wrong-Password-1!");
    await login(t.app, email, "Wrong-Password-2!");
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(200);
    await login(t.app, email, "Wrong-Password-3!");
    await login(t.app, email, "Wrong-Password-4!");
    expect((await login(t.app, email, STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it("counts concurrent failures without losing any", async () => {
    const { user, email } = await createStaff(t.app);
    await Promise.all([1, 2].map((i) => login(t.app, email, `Wrong-Password-${i}!`)));
    const [row] = await db().select().from(loginLockouts).where(eq(loginLockouts.userId, user.id));
    expect(row?.failedAttempts).toBe(2);
  });
});

describe("deactivated accounts", () => {
  it("get 403 ACCOUNT_DISABLED with the right password, and lose their sessions", async () => {
    const { user, email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    await db().update(users).set({ isActive: false }).where(eq(users.id, user.id));
    const res = await login(t.app, email, STRONG_PASSWORD);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("ACCOUNT_DISABLED");
    expect((await login(t.app, email, "Wrong-Password-9!")).statusCode).toBe(401);
    const me = await t.app.inject({ method: "GET", url: "/api/auth/me", headers: session.auth });
    expect(me.statusCode).toBe(401);
  });
});
