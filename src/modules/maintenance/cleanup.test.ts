import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, queryRows, toNumber } from "../../db/client.js";
import {
  auditLogs,
  loginHistory,
  loginLockouts,
  mailOutbox,
  otpLogs,
  passwordResetRequests,
  refreshTokens,
  userSessions,
} from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createStaff, FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { buildTestApp, onPostgres, type TestApp, testConfig } from "../../../test/support/app.js";
import { CLEANUP_LOCK_KEY, runCleanup } from "./cleanup.js";

// Retention: audit 365 days, login history 90 days; sessions idle 30 min, max 12 h.
const NOW = new Date("2026-06-15T12:00:00Z");
const clock = manualClock(NOW);
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const DAY = 86_400_000;
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp(
    { ...FAST_AUTH_ENV, AUDIT_RETENTION_DAYS: "365", LOGIN_HISTORY_RETENTION_DAYS: "90" },
    { clock },
  );
});
afterAll(async () => t.close());

const count = async (table: string, where = sql`true`) =>
  toNumber(
    (
      await queryRows<{ n: unknown }>(
        t.app.database.db,
        sql`select count(*) as n from ${sql.identifier(table)} where ${where}`,
      )
    )[0]?.n,
  );

describe("clean-up", () => {
  it("removes exactly what has expired, and nothing else; dry-run only counts", async () => {
    const db = t.app.database.db;
    const { user } = await createStaff(t.app);
    await db.insert(auditLogs).values([
      { action: "old", createdAt: ago(366 * DAY) },
      { action: "keep", createdAt: ago(364 * DAY) },
    ]);
    await db.insert(loginHistory).values([
      { identifier: "old", success: false, createdAt: ago(91 * DAY) },
      { identifier: "keep", success: false, createdAt: ago(89 * DAY) },
    ]);
    await db.insert(otpLogs).values([
      { event: "requested", email: "old", createdAt: ago(91 * DAY) },
      { event: "requested", email: "keep", createdAt: ago(1 * DAY) },
    ]);
    const session = (createdAt: Date, lastActivityAt: Date, endedAt: Date | null = null) => ({
      userId: user.id,
      createdAt,
      lastActivityAt,
      endedAt,
    });
    const [idle, overAge, live, endedLongAgo, endedRecently] = await db
      .insert(userSessions)
      .values([
        session(ago(60 * 60_000), ago(31 * 60_000)),
        session(ago(13 * 3_600_000), ago(60_000)),
        session(ago(60 * 60_000), ago(60_000)),
        session(ago(100 * DAY), ago(100 * DAY), ago(95 * DAY)),
        session(ago(2 * DAY), ago(2 * DAY), ago(2 * DAY)),
      ])
      .returning();
    await db.insert(refreshTokens).values([
      { sessionId: live!.id, userId: user.id, tokenHash: randomUUID(), expiresAt: ago(1000) },
      {
        sessionId: live!.id,
        userId: user.id,
        tokenHash: randomUUID(),
        expiresAt: new Date(NOW.getTime() + DAY),
        usedAt: ago(1000),
      },
    ]);
    const request = (otpExpiresAt: Date) => ({
      email: `r${Math.random()}@x.dz`,
      otpHash: "h",
      otpExpiresAt,
      status: "expired" as const,
    });
    await db.insert(passwordResetRequests).values([request(ago(2 * DAY)), request(ago(3_600_000))]);
    const mail = (status: "sent" | "failed" | "pending", updatedAt: Date) => ({
      kind: "cleanup-test",
      toAddress: "a@x.dz",
      subject: "s",
      status,
      updatedAt,
    });
    await db
      .insert(mailOutbox)
      .values([
        mail("sent", ago(91 * DAY)),
        mail("failed", ago(91 * DAY)),
        mail("sent", ago(DAY)),
        mail("pending", ago(91 * DAY)),
      ]);

    await db.insert(loginLockouts).values([
      { subject: "identifier:email:stale@x.dz", scope: "all", failedAttempts: 2, lastFailedAt: ago(2 * DAY) },
      {
        subject: "identifier:email:lock-over@x.dz",
        scope: "all",
        failedAttempts: 5,
        lastFailedAt: ago(2 * DAY),
        lockedUntil: ago(DAY),
      },
      { subject: "identifier:email:recent@x.dz", scope: "all", failedAttempts: 2, lastFailedAt: ago(3_600_000) },
      {
        subject: "identifier:email:still-locked@x.dz",
        scope: "untrusted",
        failedAttempts: 5,
        lastFailedAt: ago(2 * DAY),
        lockedUntil: new Date(NOW.getTime() + 60_000),
      },
    ]);

    const dry = await runCleanup(t.app.services, t.app.database, { dryRun: true });
    const removed = Object.fromEntries(dry.steps.map((s) => [s.name, s.removed]));
    expect(removed).toMatchObject({
      cleanup_old_audit_logs: 1,
      cleanup_old_login_history: 1,
      cleanup_old_otp_logs: 1,
      cleanup_expired_sessions: 2,
      cleanup_ended_sessions: 1,
      cleanup_expired_refresh_tokens: 1,
      cleanup_expired_otps: 1,
      cleanup_stale_lockouts: 2,
      cleanup_old_mail: 2,
    });
    expect(await count("audit_logs", sql`action = 'old'`)).toBe(1);

    const real = await runCleanup(t.app.services, t.app.database);
    expect(real.steps).toEqual(dry.steps);
    expect(await count("audit_logs", sql`action in ('old', 'keep')`)).toBe(1);
    expect(await count("audit_logs", sql`action = 'keep'`)).toBe(1);
    expect(await count("login_history", sql`identifier = 'keep'`)).toBe(1);
    expect(await count("login_history", sql`identifier = 'old'`)).toBe(0);
    expect(await count("otp_logs", sql`email in ('old', 'keep')`)).toBe(1);
    expect(await count("user_sessions", sql`id = ${idle!.id} and ended_at is not null`)).toBe(1);
    expect(await count("user_sessions", sql`id = ${overAge!.id} and ended_at is not null`)).toBe(1);
    expect(await count("user_sessions", sql`id = ${live!.id} and ended_at is null`)).toBe(1);
    expect(await count("user_sessions", sql`id = ${endedLongAgo!.id}`)).toBe(0);
    expect(await count("user_sessions", sql`id = ${endedRecently!.id}`)).toBe(1);
    expect(await count("refresh_tokens", sql`user_id = ${user.id}`)).toBe(1);
    expect(await count("password_reset_requests", sql`status = 'expired'`)).toBe(1);
    expect(
      await count(
        "login_lockouts",
        sql`subject in ('identifier:email:recent@x.dz', 'identifier:email:still-locked@x.dz')`,
      ),
    ).toBe(2);
    expect(await count("login_lockouts")).toBe(2);
    expect(await count("mail_outbox", sql`kind = 'cleanup-test'`)).toBe(2);
    // A second run finds nothing left.
    expect((await runCleanup(t.app.services, t.app.database)).steps.every((s) => s.removed === 0)).toBe(true);
  });

  it("deletes in batches of at most 5,000 rows", async () => {
    await t.app.database.db.execute(
      sql`insert into login_history (identifier, success, created_at) select 'bulk', false, ${ago(200 * DAY).toISOString()}::timestamptz from generate_series(1, 12000)`,
    );
    const result = await runCleanup(t.app.services, t.app.database);
    expect(result.steps.find((s) => s.name === "cleanup_old_login_history")?.removed).toBe(12000);
    expect(await count("login_history", sql`identifier = 'bulk'`)).toBe(0);
  });

  it.runIf(onPostgres)("only one runner at a time: a held advisory lock keeps a second one out", async () => {
    const other = await createDatabase(testConfig(t.database.env).database);
    try {
      await other.withConnection(async (db) => {
        await db.execute(sql`select pg_advisory_lock(${CLEANUP_LOCK_KEY})`);
        try {
          expect(await runCleanup(t.app.services, t.app.database)).toEqual({ ran: false, steps: [] });
        } finally {
          await db.execute(sql`select pg_advisory_unlock(${CLEANUP_LOCK_KEY})`);
        }
      });
      expect((await runCleanup(t.app.services, t.app.database)).ran).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("in one process, a run that overlaps another is skipped", async () => {
    const [a, b] = await Promise.all([
      runCleanup(t.app.services, t.app.database),
      runCleanup(t.app.services, t.app.database),
    ]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
  });
});
