import type { AppError } from "../../lib/errors.js";
import { and, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { updateAtVersion } from "../../lib/versioning.js";
import { customerInteractions, users } from "../../db/schema/index.js";
import { olderThan, type TimeKey } from "../../lib/pagination.js";

export type InteractionRow = typeof customerInteractions.$inferSelect;
export type InteractionWithAgent = InteractionRow & { agentName: string | null };

export interface InteractionFilter {
  customerId?: string;
  loanId?: string;
  agentId?: string;
  disposition?: string;
  from?: Date;
  to?: Date;
  after?: TimeKey;
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
    olderThan(t.startedAt, t.id, f.after),
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

/** A correction at the version the client read; a stale one is a VERSION_CONFLICT carrying `current()`. */
export const updateInteractionAtVersion = (
  db: DbOrTx,
  target: { id: string; version: number },
  changes: { notes?: string | null; disposition?: string },
  now: Date,
  conflict: () => Promise<AppError> | AppError,
): Promise<InteractionRow> => updateAtVersion(db, customerInteractions, target, changes, now, conflict);
