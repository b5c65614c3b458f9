import { randomUUID } from "node:crypto";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { callRulesFrom } from "../calling/eligibility.js";
import { preCallFor } from "../calling/pre-call.js";
import {
  candidateEligibility,
  type CandidateRow,
  dialNumber,
  loadFreeCandidates,
  type Pool,
  poolsFor,
  rankingOf,
} from "./candidates.js";
import {
  type ClaimRow,
  claimFreeCustomers,
  type Holder,
  insertClaims,
  liveClaimOfUser,
  lockFreeCustomers,
  releaseClaims,
  releaseExpiredOn,
} from "./repository.js";
import { poolSummary } from "./summary.js";

/** Ranked ids looked at per round trip, and free candidates whose history is read from them. */
const WINDOW = 64;
const CHUNK = 12;
/**
 * next-call keeps looking until it claims someone or the pools run out; past this much time spent
 * reading customers who are not callable, it stops and answers with the summary.
 */
const SEARCH_BUDGET_MS = 5000;

const iso = (v: Date | string) => new Date(v).toISOString();

interface Found {
  row: CandidateRow;
  phone: string;
}

/**
 * The next callable, unclaimed customers of a pool in ranking order, a chunk at a time. Customers
 * found not callable are remembered with the ranking (they rarely become callable within its TTL).
 */
async function* callableIn(
  services: Services,
  pool: Pool,
  now: Date,
  deadline: number,
  chunk = CHUNK,
): AsyncGenerator<Found[]> {
  const rules = callRulesFrom(services.config);
  const ranking = await rankingOf(services, pool, now);
  let i = 0;
  // The time budget bounds a scan through customers who are not callable; losing races for callable
  // ones (a floor of agents on one pool) always carries on to the next chunk.
  let lastFound = true;
  while (i < ranking.ids.length && (lastFound || performance.now() < deadline)) {
    const window: string[] = [];
    const positions: number[] = [];
    for (let j = i; j < ranking.ids.length && window.length < Math.max(WINDOW, chunk * 3); j++) {
      if (!ranking.blocked.has(ranking.ids[j]!)) {
        window.push(ranking.ids[j]!);
        positions.push(j);
      }
    }
    if (window.length === 0) break;
    const rows = await loadFreeCandidates(services, window, now, chunk);
    // Past the last one returned; or past the whole window when it held fewer than asked for.
    i = rows.length < chunk ? positions.at(-1)! + 1 : positions[rows.at(-1)!.ord - 1]! + 1;
    const found: Found[] = [];
    for (const row of rows) {
      const phone = dialNumber(row);
      if (!phone || Number(row.total_overdue) <= 0 || !candidateEligibility(row, now, rules).canCall) {
        ranking.blocked.add(row.id);
        continue;
      }
      found.push({ row, phone });
    }
    lastFound = found.length > 0;
    if (lastFound) yield found;
  }
}

/**
 * Claims up to `count` of the found customers for the holder, in their order: row locks with SKIP
 * LOCKED spread concurrent callers, and the unique indexes settle what remains of a race (a claim
 * committed after this statement's snapshot inserts nothing here). Customers lost that way are
 * dropped and the rest of the chunk is tried again, with a fresh snapshot.
 */
async function claimSome(
  services: Services,
  found: Found[],
  holder: Holder,
  count: number,
  batchId: string | null,
): Promise<ClaimRow[]> {
  const claimed: ClaimRow[] = [];
  let left = found;
  while (left.length > 0 && claimed.length < count) {
    const now = services.clock.now();
    const expiresAt = new Date(now.getTime() + services.config.CLAIM_LEASE_SECONDS * 1000);
    const candidates = left.map((f) => ({ customerId: f.row.id, phone: f.phone }));
    const { locked, inserted } = await claimFreeCustomers(
      services.db,
      candidates,
      holder,
      now,
      expiresAt,
      batchId,
      count - claimed.length,
    );
    claimed.push(...inserted);
    const stale = locked.filter((l) => l.stale);
    if (stale.length > 0) {
      // Leases that ran out are released, under the row lock again, before these customers are claimed.
      const staleIds = new Set(stale.map((l) => l.id));
      const rows = candidates.filter((c) => staleIds.has(c.customerId));
      claimed.push(
        ...(await services.db.transaction(async (tx) => {
          const relocked = await lockFreeCustomers(
            tx,
            rows.map((r) => r.customerId),
            now,
            rows.length,
          );
          await releaseExpiredOn(
            tx,
            relocked.filter((l) => l.stale).map((l) => l.id),
            now,
          );
          const again = new Set(relocked.map((l) => l.id));
          return insertClaims(
            tx,
            rows.filter((r) => again.has(r.customerId)).slice(0, count - claimed.length),
            holder,
            now,
            expiresAt,
            batchId,
          );
        })),
      );
    }
    // Nothing free in the chunk, or this user got a claim in a parallel request (one live per user).
    if (
      locked.length === 0 ||
      (holder.userId && claimed.length === 0 && (await liveClaimOfUser(services.db, holder.userId)))
    )
      break;
    const tried = new Set(locked.map((l) => l.id));
    left = left.filter((f) => !tried.has(f.row.id));
  }
  return claimed;
}

async function answer(services: Services, claim: ClaimRow, userId: string) {
  const precall = await preCallFor(
    services,
    { customerId: claim.customer_id },
    { userId, apiKeyId: null },
    claim.phone ?? undefined,
  );
  return {
    claim: {
      customerId: claim.customer_id,
      phone: claim.phone,
      claimedAt: iso(claim.claimed_at),
      expiresAt: iso(claim.expires_at),
    },
    precall,
  };
}

export interface Agent {
  id: string;
  teamId: string | null;
}

/**
 * `POST /api/crm/next-call`: the agent's live claim if they have one (a screen refresh must not skip
 * a customer), otherwise the best callable customer of their pools, claimed for CLAIM_LEASE_SECONDS.
 */
export async function nextCall(services: Services, agent: Agent) {
  const { db, clock } = services;
  const now = clock.now();
  const held = await liveClaimOfUser(db, agent.id);
  if (held) {
    if (new Date(held.expires_at).getTime() > now.getTime()) {
      const current = await answer(services, held, agent.id);
      if (current.precall.eligibility.canCall) return current;
      // Became uncallable while claimed (do-not-call set, dispute opened…): not offered again.
      await releaseClaims(db, { userId: agent.id }, "uncallable", now, { customerId: held.customer_id });
    } else {
      await releaseClaims(db, { userId: agent.id }, "expired", now, { customerId: held.customer_id });
    }
  }
  const deadline = performance.now() + SEARCH_BUDGET_MS;
  const pools = poolsFor(services, agent);
  for (const pool of pools) {
    for await (const found of callableIn(services, pool, now, deadline)) {
      const [claim] = await claimSome(services, found, { userId: agent.id }, 1, null);
      if (claim) return answer(services, claim, agent.id);
      // Nothing inserted: every one was taken meanwhile, or this agent claimed in a parallel request.
      const mine = await liveClaimOfUser(db, agent.id);
      if (mine) return answer(services, mine, agent.id);
    }
  }
  return { claim: null, summary: await poolSummary(services, pools, now) };
}

const claimNotFound = () => new AppError("CLAIM_NOT_FOUND", "You hold no live claim on this customer");

/** Ends the caller's claim early (a skip is audited and counted per agent). */
export async function releaseClaim(
  services: Services,
  holder: Holder,
  customerId: string,
  reason: "skipped" | "returned",
  note: string | null,
  ctx: RequestContext,
) {
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    const [released] = await releaseClaims(tx, holder, reason, now, { customerId, note });
    if (!released) throw claimNotFound();
    await recordAudit(tx, ctx, {
      action: `claim.${reason}`,
      entityType: "customer",
      entityId: customerId,
      details: { claimId: released.id, note },
    });
    return { customerId, releasedAt: now.toISOString(), reason };
  });
}

/**
 * `POST /api/crm/claims`: a dialer's batch. The same ranking, eligibility and locks as next-call; only
 * numbers not reported wrong are offered.
 */
export async function claimBatch(
  services: Services,
  apiKeyId: string,
  count: number,
  teamId: string | undefined,
  ctx: RequestContext,
) {
  const now = services.clock.now();
  const batchId = randomUUID();
  const pool: Pool = teamId ? { kind: "team", id: teamId } : { kind: "unowned", id: null };
  const claims: { customerId: string; fullName: string; phone: string; expiresAt: string }[] = [];
  const names = new Map<string, string>();
  const deadline = performance.now() + SEARCH_BUDGET_MS * 5;
  for await (const found of callableIn(services, pool, now, deadline, Math.min(count, 200))) {
    for (const f of found) names.set(f.row.id, f.row.full_name);
    const got = await claimSome(services, found, { apiKeyId }, count - claims.length, batchId);
    for (const c of got)
      claims.push({
        customerId: c.customer_id,
        fullName: names.get(c.customer_id) ?? "",
        phone: c.phone!,
        expiresAt: iso(c.expires_at),
      });
    if (claims.length >= count) break;
  }
  if (claims.length > 0) {
    await recordAudit(services.db, ctx, {
      action: "claim.batch_claimed",
      entityType: "api_key",
      entityId: apiKeyId,
      details: { batchId, count: claims.length },
    });
  }
  return { batchId: claims.length > 0 ? batchId : null, claims };
}

/** `DELETE /api/crm/claims`: the unused rest of a batch (or of every batch of the key) goes back. */
export async function returnBatch(services: Services, apiKeyId: string, batchId: string | undefined) {
  const released = await releaseClaims(services.db, { apiKeyId }, "returned", services.clock.now(), { batchId });
  return { returned: released.length };
}
