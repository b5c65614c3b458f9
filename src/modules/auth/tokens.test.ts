import { and, eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, refreshTokens, userSessions } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { createStaff, FAST_AUTH_ENV, signIn } from "../../../test/support/accounts.js";

const clock = manualClock(new Date("2026-03-02T08:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV, SESSION_IDLE_MINUTES: "30", SESSION_MAX_HOURS: "12" }, { clock });
});
afterAll(async () => t.close());

const me = (headers: Record<string, string>) => t.app.inject({ method: "GET", url: "/api/auth/me", headers });
const refresh = (token: string) =>
  t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { refresh: token } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("access tokens", () => {
  it("are required and verified", async () => {
    expect((await me({})).json().error.code).toBe("UNAUTHORIZED");
    expect((await me(bearer("not.a.jwt"))).statusCode).toBe(401);
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    expect((await me(session.auth)).statusCode).toBe(200);
    const [, payload] = session.token.split(".");
    const forged = `eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.${payload}.`;
    expect((await me(bearer(forged))).statusCode).toBe(401);
    const otherKey = await new SignJWT(JSON.parse(Buffer.from(payload!, "base64url").toString()))
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("some-other-secret-that-is-long-enough"));
    expect((await me(bearer(otherKey))).statusCode).toBe(401);
  });

  it("carry sub, sid, role and jti, and expire after ACCESS_TOKEN_TTL_SECONDS", async () => {
    const { user, email } = await createStaff(t.app, { role: "supervisor" });
    const session = await signIn(t.app, email);
    const claims = JSON.parse(Buffer.from(session.token.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({
      sub: user.id,
      sid: expect.any(String),
      role: "supervisor",
      jti: expect.any(String),
    });
    expect(claims.exp - claims.iat).toBe(900);
    clock.advance(901_000);
    const res = await me(session.auth);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe("Access token has expired");
  });

  it("are refused right after logout", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    const out = await t.app.inject({ method: "POST", url: "/api/auth/logout", headers: session.auth });
    expect(out.json()).toEqual({ message: "Logged out" });
    expect((await me(session.auth)).statusCode).toBe(401);
    expect((await refresh(session.refresh)).statusCode).toBe(401);
  });

  it("logout-all ends every session of the user", async () => {
    const { user, email } = await createStaff(t.app);
    const a = await signIn(t.app, email);
    const b = await signIn(t.app, email);
    const res = await t.app.inject({ method: "POST", url: "/api/auth/logout-all", headers: a.auth });
    expect(res.statusCode).toBe(200);
    expect((await me(a.auth)).statusCode).toBe(401);
    expect((await me(b.auth)).statusCode).toBe(401);
    const audits = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "auth.logout_all"), eq(auditLogs.actorId, user.id)));
    expect(audits).toHaveLength(1);
  });
});

describe("refresh tokens", () => {
  it("rotate: each refresh returns a new pair and the new one works", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    const res = await refresh(session.refresh);
    expect(res.statusCode).toBe(200);
    const pair = res.json();
    expect(pair).toEqual({ token: expect.any(String), refresh: expect.any(String), expiresIn: 900 });
    expect(pair.refresh).not.toBe(session.refresh);
    expect((await me(bearer(pair.token))).statusCode).toBe(200);
    expect((await refresh(pair.refresh)).statusCode).toBe(200);
  });

  it("are stored only as hashes", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    const stored = await t.app.database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, session.userId));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]?.tokenHash).not.toContain(session.refresh);
  });

  it("used twice: the whole session is revoked and the reuse audited", async () => {
    const { user, email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    const first = (await refresh(session.refresh)).json();
    const reuse = await refresh(session.refresh);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.message).toContain("already used");
    expect((await refresh(first.refresh)).statusCode).toBe(401);
    expect((await me(bearer(first.token))).statusCode).toBe(401);
    const audits = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "auth.refresh_reuse_detected"), eq(auditLogs.actorId, user.id)));
    expect(audits).toHaveLength(1);
  });

  it("two concurrent refreshes with one token: exactly one succeeds", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    const results = await Promise.all([refresh(session.refresh), refresh(session.refresh), refresh(session.refresh)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401, 401]);
  });

  it("expire after REFRESH_TOKEN_TTL_SECONDS", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    clock.advance(7 * 86400_000 + 1000);
    const res = await refresh(session.refresh);
    expect(res.statusCode).toBe(401);
  });

  it("an unknown token is a plain 401", async () => {
    const res = await refresh("bm90LWEtcmVhbC10b2tlbg");
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHORIZED");
  });
});

describe("sessions", () => {
  it("end after SESSION_IDLE_MINUTES without activity", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    clock.advance(29 * 60_000);
    expect((await refresh(session.refresh)).statusCode).toBe(200);
    const again = await signIn(t.app, email);
    clock.advance(30 * 60_000);
    expect((await refresh(again.refresh)).statusCode).toBe(401);
  });

  it("end after SESSION_MAX_HOURS even when active", async () => {
    const { email } = await createStaff(t.app);
    let current = await signIn(t.app, email);
    // Active every 20 minutes for 11 h 40 min: never idle.
    for (let i = 1; i <= 35; i++) {
      clock.advance(20 * 60_000);
      const res = await refresh(current.refresh);
      expect(res.statusCode, `refresh ${i}`).toBe(200);
      current = res.json();
    }
    clock.advance(20 * 60_000);
    expect((await refresh(current.refresh)).statusCode).toBe(401);
    expect((await me(bearer(current.token))).statusCode).toBe(401);
  });

  it("write last activity at most once a minute", async () => {
    const { email } = await createStaff(t.app);
    const session = await signIn(t.app, email);
    const sid = JSON.parse(Buffer.from(session.token.split(".")[1]!, "base64url").toString()).sid;
    const activity = async () =>
      (
        await t.app.database.db.select().from(userSessions).where(eq(userSessions.id, sid))
      )[0]!.lastActivityAt.getTime();
    const start = await activity();
    clock.advance(30_000);
    await me(session.auth);
    expect(await activity()).toBe(start);
    clock.advance(31_000);
    await me(session.auth);
    expect(await activity()).toBe(clock.now().getTime());
  });

  it("lists this user's active sessions, marking the current one, and ends one on request", async () => {
    const { email } = await createStaff(t.app);
    const a = await signIn(t.app, email);
    const b = await signIn(t.app, email);
    const list = await t.app.inject({ method: "GET", url: "/api/auth/sessions", headers: a.auth });
    expect(list.statusCode).toBe(200);
    const data = list.json().data as { id: string; current: boolean }[];
    expect(data).toHaveLength(2);
    expect(data.filter((s) => s.current)).toHaveLength(1);
    const other = data.find((s) => !s.current)!;
    const del = await t.app.inject({ method: "DELETE", url: `/api/auth/sessions/${other.id}`, headers: a.auth });
    expect(del.statusCode).toBe(200);
    expect((await me(b.auth)).statusCode).toBe(401);
    expect((await me(a.auth)).statusCode).toBe(200);
    const again = await t.app.inject({ method: "DELETE", url: `/api/auth/sessions/${other.id}`, headers: a.auth });
    expect(again.statusCode).toBe(404);
  });

  it("cannot end another user's session", async () => {
    const alice = await signIn(t.app, (await createStaff(t.app)).email);
    const bob = await signIn(t.app, (await createStaff(t.app)).email);
    const bobSid = JSON.parse(Buffer.from(bob.token.split(".")[1]!, "base64url").toString()).sid;
    const res = await t.app.inject({ method: "DELETE", url: `/api/auth/sessions/${bobSid}`, headers: alice.auth });
    expect(res.statusCode).toBe(404);
    expect((await me(bob.auth)).statusCode).toBe(200);
    // Nor revoke its refresh tokens.
    expect((await refresh(bob.refresh)).statusCode).toBe(200);
  });
});
