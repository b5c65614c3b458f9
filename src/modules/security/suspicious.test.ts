import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, loginHistory, otpLogs } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createStaff, FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { type Headers, staffSessions } from "../../../test/support/crm.js";
import type { Finding, SuspiciousReport } from "./schemas.js";
import { detectSuspiciousActivity, SUSPICIOUS_ACTIVITY_ACTION } from "./service.js";

// Monday 15 June 2026, 13:00 in Algiers (UTC+1): inside the 07:00-21:00 shift.
const NOW = new Date("2026-06-15T12:00:00Z");
const clock = manualClock(NOW);
let t: TestApp;
let as: Awaited<ReturnType<typeof staffSessions>>;

const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const db = () => t.app.database.db;
type LoginRow = { identifier: string; success?: boolean; ip: string; userId?: string; createdAt: Date };
const logins = (rows: LoginRow[]) =>
  db()
    .insert(loginHistory)
    .values(rows.map((r) => ({ success: false, ...r })));
const otp = (rows: { event: "requested" | "blocked"; email: string; ip: string; createdAt: Date }[]) =>
  db().insert(otpLogs).values(rows);
const staff = async () => (await createStaff(t.app, { phone: null })).user;

const suspicious = async (hours?: number, headers: Headers = as.supervisor.headers) => {
  const res = await t.app.inject({
    method: "GET",
    url: `/api/admin/security/suspicious${hours ? `?hours=${hours}` : ""}`,
    headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as SuspiciousReport;
};
const findingsOf = async (type: Finding["type"], hours?: number) =>
  (await suspicious(hours)).findings.filter((f) => f.type === type);
const about = (findings: Finding[], subject: Finding["subject"]) =>
  findings.filter((f) => Object.entries(subject).every(([k, v]) => f.subject[k as keyof typeof subject] === v));

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV }, { clock });
  // app.ts does not register the module yet; Fastify accepts plugins until it is ready.
  as = await staffSessions(t.app);
});
afterAll(async () => t.close());

describe("GET /api/admin/security/suspicious", () => {
  it("answers supervisors and admins, over [now − hours, now]", async () => {
    const report = await suspicious();
    expect(report).toMatchObject({ from: "2026-06-14T12:00:00.000Z", to: NOW.toISOString() });
    expect((await suspicious(3, as.admin.headers)).from).toBe("2026-06-15T09:00:00.000Z");
    // Staff signing in during the day are not suspicious.
    expect(report.findings).toEqual([]);
  });

  it("refuses agents and anonymous callers, and hours outside 1-720", async () => {
    const get = (url: string, headers: Headers = as.supervisor.headers) =>
      t.app.inject({ method: "GET", url, headers });
    expect((await get("/api/admin/security/suspicious", as.agent.headers)).statusCode).toBe(403);
    expect((await get("/api/admin/security/suspicious", {})).statusCode).toBe(401);
    for (const hours of ["0", "1000", "abc", "1.5"])
      expect((await get(`/api/admin/security/suspicious?hours=${hours}`)).statusCode).toBe(400);
    expect((await get("/api/admin/security/suspicious?hours=720")).statusCode).toBe(200);
  });
});

describe("credential_stuffing", () => {
  it("flags one IP failing on 5 accounts, not on 4, nor with failures older than the window", async () => {
    const accounts = (ip: string, n: number, minutes: (i: number) => number) =>
      Array.from({ length: n }, (_, i) => ({ identifier: `cs-${ip}-${i}@example.dz`, ip, createdAt: ago(minutes(i)) }));
    await logins([
      ...accounts("10.0.1.1", 5, (i) => 60 - i),
      { identifier: "cs-10.0.1.1-0@example.dz", ip: "10.0.1.1", createdAt: ago(10) },
    ]);
    await logins([...accounts("10.0.1.2", 4, (i) => 60 - i), ...accounts("10.0.1.2", 4, (i) => 30 - i)]);
    await logins(accounts("10.0.1.3", 5, (i) => (i < 2 ? 25 * 60 : 60)));

    const found = await findingsOf("credential_stuffing");
    expect(found).toEqual([
      {
        type: "credential_stuffing",
        severity: "high",
        subject: { ip: "10.0.1.1" },
        evidence: { failures: 6, distinctAccounts: 5 },
        firstSeenAt: ago(60).toISOString(),
        lastSeenAt: ago(10).toISOString(),
        key: "credential_stuffing:ip:10.0.1.1:2026-06-15",
      },
    ]);
    // A longer look-back reaches the older failures.
    expect(about(await findingsOf("credential_stuffing", 48), { ip: "10.0.1.3" })[0]?.key).toBe(
      "credential_stuffing:ip:10.0.1.3:2026-06-14",
    );
  });
});

describe("distributed_attack", () => {
  it("flags an account failing from 3 IPs, known or not, and not from 2 or outside the window", async () => {
    const victim = await staff();
    const from = (identifier: string, ips: string[], userId?: string, minutes = 30) =>
      ips.map((ip, i) => ({ identifier, ip, userId, createdAt: ago(minutes - i) }));
    // Email and phone typed for the same user still count as one account.
    await logins([
      ...from(victim.email, ["10.0.2.1", "10.0.2.2"], victim.id),
      ...from("+213661234567", ["10.0.2.3"], victim.id),
    ]);
    await logins(from("ghost@example.dz", ["10.0.2.4", "10.0.2.5", "10.0.2.6"]));
    await logins([...from("two-ips@example.dz", ["10.0.2.7", "10.0.2.8", "10.0.2.7", "10.0.2.8"])]);
    await logins([
      ...from("late@example.dz", ["10.0.2.9", "10.0.2.10"]),
      ...from("late@example.dz", ["10.0.2.11"], undefined, 24 * 60 + 5),
    ]);

    const found = await findingsOf("distributed_attack");
    // Same severity and type: ordered by key, "identifier" before "user".
    expect(found.map((f) => f.subject)).toEqual([
      { email: "ghost@example.dz" },
      { userId: victim.id, email: victim.email },
    ]);
    expect(about(found, { userId: victim.id })[0]).toMatchObject({
      severity: "high",
      evidence: { failures: 3, distinctIps: 3 },
      key: `distributed_attack:user:${victim.id}:2026-06-15`,
    });
    expect(about(found, { email: "ghost@example.dz" })[0]?.key).toBe(
      "distributed_attack:identifier:ghost@example.dz:2026-06-15",
    );
  });
});

describe("otp_burst and otp_blocked", () => {
  it("flags 10 code requests from one IP or for one email, and 3 blocked codes", async () => {
    const many = (n: number, row: (i: number) => { event: "requested" | "blocked"; email: string; ip: string }) =>
      Array.from({ length: n }, (_, i) => ({ ...row(i), createdAt: ago(50 - i) }));
    await otp(many(10, (i) => ({ event: "requested", email: `burst-ip-${i}@example.dz`, ip: "10.0.3.1" })));
    await otp(many(10, (i) => ({ event: "requested", email: "burst@example.dz", ip: `10.0.3.${100 + i}` })));
    await otp(many(9, (i) => ({ event: "requested", email: `calm-${i}@example.dz`, ip: "10.0.3.2" })));
    await otp([
      ...many(9, (i) => ({ event: "requested", email: "old@example.dz", ip: `10.0.3.${200 + i}` })),
      { event: "requested", email: "old@example.dz", ip: "10.0.3.250", createdAt: ago(25 * 60) },
    ]);
    await otp(many(3, (i) => ({ event: "blocked", email: "blocked@example.dz", ip: `10.0.3.${20 + i}` })));
    await otp(many(2, (i) => ({ event: "blocked", email: "twice@example.dz", ip: `10.0.3.${30 + i}` })));

    const bursts = await findingsOf("otp_burst");
    expect(bursts.map((f) => f.subject)).toEqual([{ email: "burst@example.dz" }, { ip: "10.0.3.1" }]);
    expect(bursts[0]).toMatchObject({
      severity: "medium",
      evidence: { requests: 10, distinctIps: 10 },
      key: "otp_burst:email:burst@example.dz:2026-06-15",
    });
    expect(bursts[1]).toMatchObject({
      evidence: { requests: 10, distinctEmails: 10 },
      key: "otp_burst:ip:10.0.3.1:2026-06-15",
    });
    const blocked = await findingsOf("otp_blocked");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({
      severity: "medium",
      subject: { email: "blocked@example.dz" },
      evidence: { blocked: 3, distinctIps: 3 },
    });
  });
});

describe("refresh_token_reuse", () => {
  it("reports every reuse in the window per user, not older ones", async () => {
    const [reused, earlier] = [await staff(), await staff()];
    const reuse = (userId: string, minutes: number) => ({
      actorId: userId,
      actorType: "user",
      action: "auth.refresh_reuse_detected",
      entityType: "session",
      entityId: randomUUID(),
      createdAt: ago(minutes),
    });
    await db()
      .insert(auditLogs)
      .values([reuse(reused.id, 120), reuse(reused.id, 5), reuse(earlier.id, 25 * 60)]);

    const found = await findingsOf("refresh_token_reuse");
    expect(found).toEqual([
      {
        type: "refresh_token_reuse",
        severity: "high",
        subject: { userId: reused.id, email: reused.email },
        evidence: { count: 2, sessions: 2 },
        firstSeenAt: ago(120).toISOString(),
        lastSeenAt: ago(5).toISOString(),
        key: `refresh_token_reuse:user:${reused.id}:2026-06-15`,
      },
    ]);
  });
});

describe("success_after_failures", () => {
  it("flags a login right after 3 failures in the hour: high from a failing IP, else medium", async () => {
    const [sameIp, otherIp, fewer, spread, interrupted, old] = await Promise.all([
      staff(),
      staff(),
      staff(),
      staff(),
      staff(),
      staff(),
    ]);
    const attempts = (
      user: { id: string; email: string },
      steps: [minutesAgo: number, success: boolean, ip: string][],
    ) =>
      logins(
        steps.map(([m, success, ip]) => ({ identifier: user.email, userId: user.id, success, ip, createdAt: ago(m) })),
      );
    await attempts(sameIp, [
      [50, false, "10.0.5.1"],
      [40, false, "10.0.5.1"],
      [30, false, "10.0.5.2"],
      [20, true, "10.0.5.1"],
    ]);
    await attempts(otherIp, [
      [50, false, "10.0.5.3"],
      [40, false, "10.0.5.3"],
      [30, false, "10.0.5.3"],
      [20, true, "10.0.5.4"],
    ]);
    await attempts(fewer, [
      [40, false, "10.0.5.5"],
      [30, false, "10.0.5.5"],
      [20, true, "10.0.5.5"],
    ]);
    // The first failure is more than an hour before the success.
    await attempts(spread, [
      [90, false, "10.0.5.6"],
      [40, false, "10.0.5.6"],
      [30, false, "10.0.5.6"],
      [20, true, "10.0.5.6"],
    ]);
    // Three failures within the hour, but a success breaks the run.
    await attempts(interrupted, [
      [50, false, "10.0.5.7"],
      [45, false, "10.0.5.7"],
      [40, true, "10.0.5.7"],
      [30, false, "10.0.5.7"],
      [20, true, "10.0.5.7"],
    ]);
    await attempts(old, [
      [26 * 60, false, "10.0.5.8"],
      [26 * 60 - 1, false, "10.0.5.8"],
      [26 * 60 - 2, false, "10.0.5.8"],
      [25 * 60, true, "10.0.5.8"],
    ]);

    const found = await findingsOf("success_after_failures");
    expect(found.map((f) => f.subject.userId).sort()).toEqual([sameIp.id, otherIp.id].sort());
    expect(about(found, { userId: sameIp.id })[0]).toEqual({
      type: "success_after_failures",
      severity: "high",
      subject: { userId: sameIp.id, email: sameIp.email, ip: "10.0.5.1" },
      evidence: { failures: 3, distinctIps: 2, failuresFromSuccessIp: 2 },
      firstSeenAt: ago(50).toISOString(),
      lastSeenAt: ago(20).toISOString(),
      key: `success_after_failures:user:${sameIp.id}:${ago(20).toISOString()}`,
    });
    expect(about(found, { userId: otherIp.id })[0]).toMatchObject({
      severity: "medium",
      evidence: { failures: 3, failuresFromSuccessIp: 0 },
    });
  });
});

describe("off_hours_login", () => {
  it("flags logins outside 07:00-21:00 Algiers time per user, not daytime ones", async () => {
    const [night, day, longAgo] = [await staff(), await staff(), await staff()];
    const success = (user: { id: string; email: string }, at: string) => ({
      identifier: user.email,
      userId: user.id,
      success: true,
      ip: "10.0.6.1",
      createdAt: new Date(at),
    });
    await logins([
      success(night, "2026-06-14T20:00:00Z"), // 21:00 local: the shift has ended
      success(night, "2026-06-15T04:30:00Z"), // 05:30 local
      success(day, "2026-06-15T06:00:00Z"), // 07:00 local: the shift has begun
      success(day, "2026-06-14T19:59:00Z"), // 20:59 local
      success(longAgo, "2026-06-14T01:00:00Z"), // 02:00 local, but before the window
    ]);

    const found = await findingsOf("off_hours_login");
    expect(found).toEqual([
      {
        type: "off_hours_login",
        severity: "low",
        subject: { userId: night.id, email: night.email },
        evidence: { logins: 2, distinctIps: 1 },
        firstSeenAt: "2026-06-14T20:00:00.000Z",
        lastSeenAt: "2026-06-15T04:30:00.000Z",
        key: `off_hours_login:user:${night.id}:2026-06-14`,
      },
    ]);
  });
});

describe("audit trail", () => {
  const auditRows = (key: string) =>
    db()
      .select()
      .from(auditLogs)
      .where(
        and(
          eq(auditLogs.action, SUSPICIOUS_ACTIVITY_ACTION),
          eq(auditLogs.entityType, "security"),
          eq(auditLogs.entityId, key),
        ),
      );

  it("writes each finding once, even when called again and concurrently", async () => {
    await logins(
      Array.from({ length: 5 }, (_, i) => ({ identifier: `race-${i}@example.dz`, ip: "10.0.7.1", createdAt: ago(15) })),
    );
    const key = "credential_stuffing:ip:10.0.7.1:2026-06-15";
    const reports = await Promise.all([suspicious(), suspicious(), suspicious(6, as.admin.headers)]);
    const again = await suspicious();
    // Deterministic: the same data gives the same list, most severe first.
    expect(reports[0]).toEqual(again);
    expect(again.findings.map((f) => f.severity)).toEqual(
      [...again.findings.map((f) => f.severity)].sort(
        (a, b) => ["high", "medium", "low"].indexOf(a) - ["high", "medium", "low"].indexOf(b),
      ),
    );

    const rows = await auditRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: "system",
      actorId: null,
      details: again.findings.find((f) => f.key === key),
    });
    for (const finding of again.findings) expect(await auditRows(finding.key), finding.key).toHaveLength(1);
    expect((await detectSuspiciousActivity(t.app.services, 24)).recorded).toEqual([]);
  });
});
