import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.js";
import type { ClaimReleaseReason } from "../../db/schema/index.js";

/** Who holds a claim: a signed-in user, or an integration key (a dialer). */
export type Holder = { userId: string; apiKeyId?: undefined } | { apiKeyId: string; userId?: undefined };

const holderCondition = (h: Holder) =>
  h.userId ? sql`user_id = ${h.userId}::uuid` : sql`api_key_id = ${h.apiKeyId}::uuid`;

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
  return queryRows(db, releaseClaimsStatement(holder, reason, now, scope));
}

/** The statement of releaseClaims, for a caller that runs it inside a bigger one (post-call). */
export function releaseClaimsStatement(
  holder: Holder,
  reason: ClaimReleaseReason,
  now: Date,
  scope: { customerId?: string; batchId?: string; note?: string | null } = {},
): SQL {
  return sql`update call_claims set released_at = ${now.toISOString()}::timestamptz, release_reason = ${reason}, release_note = ${scope.note ?? null}
        where ${holderCondition(holder)} and released_at is null
          ${scope.customerId ? sql`and customer_id = ${scope.customerId}::uuid` : sql``}
          ${scope.batchId ? sql`and batch_id = ${scope.batchId}::uuid` : sql``}
        returning id, customer_id`;
}

/**
 * The common case in one statement (one round trip, no explicit transaction): lock the first free
 * candidates with SKIP LOCKED and insert their claims, `on conflict do nothing`. The row locks last
 * until the statement ends, which is all the insert needs. A candidate still carrying an expired,
 * unreleased lease is locked but not inserted (`stale`): the caller releases that lease first.
 */
export async function claimFreeCustomers(
  db: DbOrTx,
  candidates: { customerId: string; phone: string | null }[],
  holder: Holder,
  now: Date,
  expiresAt: Date,
  batchId: string | null,
  count: number,
) {
  const at = now.toISOString();
  const rows = await queryRows<{
    id: string;
    stale: boolean;
    claim_id: string | null;
    phone: string | null;
    batch_id: string | null;
    claimed_at: Date | string | null;
    expires_at: Date | string | null;
  }>(
    db,
    sql`with cand as (
          select x.id, x.phone, x.ord from unnest(${sql.param(candidates.map((c) => c.customerId))}::uuid[], ${sql.param(candidates.map((c) => c.phone))}::text[])
            with ordinality as x(id, phone, ord)
        ),
        locked as (
          select c.id, cand.phone, cand.ord, exists (select 1 from call_claims k where k.customer_id = c.id and k.released_at is null) as stale
            from customers c join cand on cand.id = c.id
           where not c.do_not_call
             and not exists (select 1 from call_claims k where k.customer_id = c.id and k.released_at is null and k.expires_at > ${at}::timestamptz)
           order by cand.ord limit ${count}
           for update of c skip locked
        ),
        ins as (
          insert into call_claims (customer_id, user_id, api_key_id, batch_id, phone, claimed_at, expires_at)
          select locked.id, ${holder.userId ?? null}::uuid, ${holder.apiKeyId ?? null}::uuid, ${batchId}::uuid, locked.phone, ${at}::timestamptz, ${expiresAt.toISOString()}::timestamptz
            from locked where not locked.stale
          on conflict do nothing
          returning id, customer_id, phone, batch_id, claimed_at, expires_at
        )
        select locked.id, locked.stale, ins.id as claim_id, ins.phone, ins.batch_id, ins.claimed_at, ins.expires_at
          from locked left join ins on ins.customer_id = locked.id order by locked.ord`,
  );
  return {
    locked: rows.map((r) => ({ id: r.id, stale: r.stale })),
    inserted: rows
      .filter((r) => r.claim_id)
      .map((r): ClaimRow => ({
        id: r.claim_id!,
        customer_id: r.id,
        phone: r.phone,
        batch_id: r.batch_id,
        claimed_at: r.claimed_at!,
        expires_at: r.expires_at!,
      })),
  };
}
