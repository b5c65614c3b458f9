import { and, eq, gt, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { loginHistory, refreshTokens } from "../../db/schema/index.js";

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export async function insertRefreshToken(
  db: DbOrTx,
  values: { sessionId: string; userId: string; tokenHash: string; expiresAt: Date; now: Date },
): Promise<RefreshTokenRow> {
  const [row] = await db
    .insert(refreshTokens)
    .values({
      sessionId: values.sessionId,
      userId: values.userId,
      tokenHash: values.tokenHash,
      expiresAt: values.expiresAt,
      createdAt: values.now,
    })
    .returning();
  return row!;
}

/**
 * Marks a refresh token used if, and only if, it is still usable. The conditional UPDATE is the
 * single-use guarantee: of two concurrent refreshes with one token, exactly one gets the row.
 */
export async function consumeRefreshToken(db: DbOrTx, tokenHash: string, now: Date) {
  const [row] = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.usedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning();
  return row;
}

export async function findRefreshToken(db: DbOrTx, tokenHash: string) {
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
  return row;
}

export async function linkReplacement(db: DbOrTx, id: string, replacedBy: string): Promise<void> {
  await db.update(refreshTokens).set({ replacedBy }).where(eq(refreshTokens.id, id));
}

/** Seed 002 log_login_attempt. */
export async function recordLoginAttempt(
  db: DbOrTx,
  values: {
    userId: string | null;
    identifier: string;
    success: boolean;
    reason: string | null;
    ip: string | null;
    userAgent: string | null;
    now: Date;
  },
): Promise<void> {
  await db.insert(loginHistory).values({
    userId: values.userId,
    identifier: values.identifier.slice(0, 320),
    success: values.success,
    reason: values.reason,
    ip: values.ip,
    userAgent: values.userAgent?.slice(0, 512) ?? null,
    createdAt: values.now,
  });
}
