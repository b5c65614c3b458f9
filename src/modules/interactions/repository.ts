import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { customerInteractions, users } from "../../db/schema/index.js";

export type InteractionRow = typeof customerInteractions.$inferSelect;
export type InteractionWithAgent = InteractionRow & { agentName: string | null };

export interface InteractionFilter {
  customerId?: string;
  loanId?: string;
  agentId?: string;
  disposition?: string;
  from?: Date;
  to?: Date;
  after?: { startedAt: Date; id: string };
  limit: number;
}

/** Newest first, with the agent's name (the pre-call screen shows who spoke to the customer). */
export async function listInteractions(db: DbOrTx, f: InteractionFilter): Promise<InteractionWithAgent[]> {
  const t = customerInteractions;
  const conditions: (SQL | undefined)[] = [
    f.customerId ? eq(t.customerId, f.customerId) : undefined,
    f.loanId ? eq(t.loanId, f.loanId) : undefined,
    f.agentId ? eq(t.agentId, f.agentId) : undefined,
    f.disposition ? eq(t.disposition, f.disposition) : undefined,
    f.from ? gte(t.startedAt, f.from) : undefined,
    f.to ? lt(t.startedAt, f.to) : undefined,
    f.after
      ? or(lt(t.startedAt, f.after.startedAt), and(eq(t.startedAt, f.after.startedAt), lt(t.id, f.after.id)))
      : undefined,
  ];
  const rows = await db
    .select({ interaction: t, agentName: users.name })
    .from(t)
    .leftJoin(users, eq(users.id, t.agentId))
    .where(and(...conditions))
    .orderBy(desc(t.startedAt), desc(t.id))
    .limit(f.limit);
  return rows.map((r) => ({ ...r.interaction, agentName: r.agentName }));
}

export async function insertInteraction(
  db: DbOrTx,
  values: typeof customerInteractions.$inferInsert,
): Promise<InteractionRow> {
  const [row] = await db.insert(customerInteractions).values(values).returning();
  return row!;
}

export async function findInteraction(
  db: DbOrTx,
  id: string,
  forUpdate = false,
): Promise<InteractionWithAgent | undefined> {
  const t = customerInteractions;
  const query = db
    .select({ interaction: t, agentName: users.name })
    .from(t)
    .leftJoin(users, eq(users.id, t.agentId))
    .where(eq(t.id, id))
    .limit(1);
  const [row] = forUpdate ? await query.for("update", { of: t }) : await query;
  return row ? { ...row.interaction, agentName: row.agentName } : undefined;
}

/** Applies a correction only if the interaction is still at `version` (optimistic locking). */
export async function updateInteractionAtVersion(
  db: DbOrTx,
  id: string,
  version: number,
  changes: { notes?: string | null; disposition?: string },
  now: Date,
): Promise<InteractionRow | undefined> {
  const [row] = await db
    .update(customerInteractions)
    .set({ ...changes, updatedAt: now, version: version + 1 })
    .where(and(eq(customerInteractions.id, id), eq(customerInteractions.version, version)))
    .returning();
  return row;
}
