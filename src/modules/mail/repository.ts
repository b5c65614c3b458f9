import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { mailOutbox } from "../../db/schema/index.js";
import { olderThan, type TimeKey } from "../../lib/pagination.js";

export type OutboxStatus = (typeof mailOutbox.$inferSelect)["status"];

/** The outbox as operators page through it, newest first. */
export async function listOutbox(db: DbOrTx, f: { status?: OutboxStatus; after?: TimeKey; limit: number }) {
  return db
    .select()
    .from(mailOutbox)
    .where(
      and(
        f.status ? eq(mailOutbox.status, f.status) : undefined,
        olderThan(mailOutbox.createdAt, mailOutbox.id, f.after),
      ),
    )
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(f.limit);
}
