import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.js";
import type { ClaimReleaseReason } from "../../db/schema/index.js";

/** Who holds a claim: a signed-in user, or an integration key (a dialer). */
export type Holder = { userId: string; apiKeyId?: undefined } | { apiKeyId: string; userId?: undefined };

const holderCondition = (h: Holder) => (h.userId ? sql`user_id = ${h.userId}::uuid` : sql`api_key_id = ${h.apiKeyId}::uuid`);

export interface ClaimRow {
  id: string;
  customer_id: string;
  phone: string | null;
  batch_id: string | null;
  claimed_at: Date | string;
  expires_at: Date | string;
}

export async function liveClaimOfUser(db: DbOrTx, userId: string): Promise<ClaimRow | undefined> {
  const [row] = await queryRows<ClaimRow>(
    db,
    sql`select id, customer_id, phone, batch_id, claimed_at, expires_at from call_claims where user_id = ${userId}::uuid and released_at is null`,
  );
  return row;
}

/**
 * Locks the first of `ids` (in their order) that nobody holds and that is not do-not-call, skipping
 * rows another transaction has locked, so concurrent callers spread over the list instead of queueing
 * on its head. Returns up to `count` ids, each saying whether an expired lease is still on it.
 */
export async function lockFreeCustomers(tx: DbOrTx, ids: string[], now: Date, count: number) {
  const at = now.toISOString();
  return queryRows<{ id: string; stale: boolean }>(
    tx,
    sql`select c.id, exists (select 1 from call_claims k where k.customer_id = c.id and k.released_at is null) as stale
        from customers c
        where c.id = any(${sql.param(ids)}::uuid[]) and not c.do_not_call
          and not exists (select 1 from call_claims k where k.customer_id = c.id and k.released_at is null and k.expires_at > ${at}::timestamptz)
        order by array_position(${sql.param(ids)}::uuid[], c.id)
        limit ${count}
        for update of c skip locked`,
  );
}

/** Ends leases that ran out on these customers, before they are claimed again. */
export async function releaseExpiredOn(tx: DbOrTx, customerIds: string[], now: Date) {
  if (customerIds.length === 0) return;
  await tx.execute(
    sql`update call_claims set released_at = ${now.toISOString()}::timestamptz, release_reason = 'expired'
        where customer_id = any(${sql.param(customerIds)}::uuid[]) and released_at is null and expires_at <= ${now.toISOString()}::timestamptz`,
  );
}

/**
 * Inserts the claims; the partial unique indexes (one live claim per customer, one per user) are the
 * final guarantee: a conflict inserts nothing and the caller tries the next customer.
 */
export async function insertClaims(
  tx: DbOrTx,
  rows: { customerId: string; phone: string | null }[],
  holder: Holder,
  now: Date,
  expiresAt: Date,
  batchId: string | null,
): Promise<ClaimRow[]> {
  if (rows.length === 0) return [];
  return queryRows<ClaimRow>(
    tx,
    sql`insert into call_claims (customer_id, user_id, api_key_id, batch_id, phone, claimed_at, expires_at)
        select x.customer_id, ${holder.userId ?? null}::uuid, ${holder.apiKeyId ?? null}::uuid, ${batchId}::uuid, x.phone,
               ${now.toISOString()}::timestamptz, ${expiresAt.toISOString()}::timestamptz
          from unnest(${sql.param(rows.map((r) => r.customerId))}::uuid[], ${sql.param(rows.map((r) => r.phone))}::text[]) as x(customer_id, phone)
        on conflict do nothing
        returning id, customer_id, phone, batch_id, claimed_at, expires_at`,
  );
}

/** Releases the holder's live claims (on one customer, one batch, or all); returns the customers freed. */
export async function releaseClaims(
  db: DbOrTx,
  holder: Holder,
  reason: ClaimReleaseReason,
  now: Date,
  scope: { customerId?: string; batchId?: string; note?: string | null } = {},
): Promise<{ id: string; customer_id: string }[]> {
  return queryRows(
    db,
    sql`update call_claims set released_at = ${now.toISOString()}::timestamptz, release_reason = ${reason}, release_note = ${scope.note ?? null}
        where ${holderCondition(holder)} and released_at is null
          ${scope.customerId ? sql`and customer_id = ${scope.customerId}::uuid` : sql``}
          ${scope.batchId ? sql`and batch_id = ${scope.batchId}::uuid` : sql``}
        returning id, customer_id`,
  );
}
