import { and, eq, isNull, lt, ne, sql } from "drizzle-orm";
import type { Config } from "../../config.js";
import type { Db, DbOrTx } from "../../db/client.js";
import { refreshTokens, userSessions, users } from "../../db/schema/index.js";

export type SessionRow = typeof userSessions.$inferSelect;

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export const sessionPolicy = (config: Config): SessionPolicy => ({
  idleMinutes: config.SESSION_IDLE_MINUTES,
  maxHours: config.SESSION_MAX_HOURS,
});

/** Why a session can no longer be used, or undefined while it is live. */
export function sessionEndReason(session: SessionRow, now: Date, policy: SessionPolicy): string | undefined {
  if (session.endedAt) return session.endReason ?? "ended";
  if (now.getTime() - session.createdAt.getTime() >= policy.maxHours * 3_600_000) return "max_age";
  if (now.getTime() - session.lastActivityAt.getTime() >= policy.idleMinutes * 60_000) return "idle";
  return undefined;
}

export async function createSession(
  db: DbOrTx,
  values: { userId: string; ip: string | null; userAgent: string | null; now: Date },
): Promise<SessionRow> {
  const [row] = await db
    .insert(userSessions)
    .values({
      userId: values.userId,
      ip: values.ip,
      userAgent: values.userAgent?.slice(0, 512) ?? null,
      createdAt: values.now,
      lastActivityAt: values.now,
    })
    .returning();
  return row!;
}

/** The session with the fields of its user that decide whether a request may go on. */
export async function findSessionWithUser(db: DbOrTx, sessionId: string) {
  const [row] = await db
    .select({
      session: userSessions,
      user: users,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(eq(userSessions.id, sessionId))
    .limit(1);
  return row;
}

function sessionQuery(db: Db, sid: string | ReturnType<typeof sql.placeholder>) {
  return db
    .select({ session: userSessions, user: users })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(eq(userSessions.id, sid))
    .limit(1);
}
const sessionLookup = (db: Db) => sessionQuery(db, sql.placeholder("sid")).prepare("session_with_user");
const lookups = new WeakMap<Db, ReturnType<typeof sessionLookup>>();

/**
 * The per-request session check, as a named prepared statement: every authenticated request runs it,
 * so it is parsed and planned once per connection rather than each time. Behind a transaction pooler
 * (DB_PREPARED_STATEMENTS=false) the next transaction may land on a connection that never saw the
 * name, so there it runs unnamed.
 */
export async function findSessionForRequest(db: Db, sessionId: string, prepared = true) {
  if (!prepared) return (await sessionQuery(db, sessionId))[0];
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = sessionLookup(db);
    lookups.set(db, lookup);
  }
  const [row] = await lookup.execute({ sid: sessionId });
  return row;
}

export const SESSION_TOUCH_INTERVAL_MS = 60_000;

/** Seed 002 update_session_activity; written at most once a minute to spare the database. */
export async function touchSession(db: DbOrTx, sessionId: string, now: Date): Promise<void> {
  await db
    .update(userSessions)
    .set({ lastActivityAt: now })
    .where(
      and(
        eq(userSessions.id, sessionId),
        isNull(userSessions.endedAt),
        lt(userSessions.lastActivityAt, new Date(now.getTime() - SESSION_TOUCH_INTERVAL_MS)),
      ),
    );
}

/** Seed 002 end_user_session: ends the session and revokes its refresh tokens. */
export async function endSession(
  db: DbOrTx,
  sessionId: string,
  reason: string,
  now: Date,
  /** Only if it is this user's: one conditional update instead of listing their sessions first. */
  ownerId?: string,
): Promise<boolean> {
  const ended = await db
    .update(userSessions)
    .set({ endedAt: now, endReason: reason })
    .where(
      and(
        eq(userSessions.id, sessionId),
        isNull(userSessions.endedAt),
        ownerId ? eq(userSessions.userId, ownerId) : undefined,
      ),
    )
    .returning({ id: userSessions.id });
  // Nothing of that owner's matched: the id may be another user's session, whose tokens stay.
  if (ownerId && ended.length === 0) return false;
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.revokedAt)));
  return ended.length > 0;
}

/** Ends every open session of a user (optionally all but one); returns how many were ended. */
export async function endUserSessions(
  db: DbOrTx,
  userId: string,
  reason: string,
  now: Date,
  exceptSessionId?: string,
): Promise<number> {
  const ended = await db
    .update(userSessions)
    .set({ endedAt: now, endReason: reason })
    .where(
      and(
        eq(userSessions.userId, userId),
        isNull(userSessions.endedAt),
        exceptSessionId ? ne(userSessions.id, exceptSessionId) : undefined,
      ),
    )
    .returning({ id: userSessions.id });
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        exceptSessionId ? ne(refreshTokens.sessionId, exceptSessionId) : undefined,
      ),
    );
  return ended.length;
}

export async function listOpenSessions(db: DbOrTx, userId: string): Promise<SessionRow[]> {
  return db
    .select()
    .from(userSessions)
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt)))
    .orderBy(sql`${userSessions.lastActivityAt} desc`);
}

/** A user's live sessions as the API shows them, marking the caller's own. */
export async function activeSessionViews(
  db: DbOrTx,
  userId: string,
  now: Date,
  policy: SessionPolicy,
  currentSessionId?: string,
) {
  const sessions = (await listOpenSessions(db, userId)).filter((s) => !sessionEndReason(s, now, policy));
  return sessions.map((s) => ({
    id: s.id,
    ip: s.ip,
    userAgent: s.userAgent,
    createdAt: s.createdAt.toISOString(),
    lastActivityAt: s.lastActivityAt.toISOString(),
    current: s.id === currentSessionId,
  }));
}
