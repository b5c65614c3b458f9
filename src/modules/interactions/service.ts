import type { Static } from "typebox";
import { AppError } from "../../lib/errors.js";
import { paginate, timeKeyOf } from "../../lib/pagination.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { diff, versionConflict } from "../../lib/versioning.js";
import { lastChange } from "../audit/repository.js";
import { findDisposition } from "../calling/repository.js";
import { findCustomer } from "../customers/repository.js";
import { loanBelongsTo } from "../loans/repository.js";
import {
  findInteraction,
  type InteractionWithAgent,
  insertInteraction,
  listInteractions,
  updateInteractionAtVersion,
} from "./repository.js";
import type { InteractionCreateBody, InteractionListQuery } from "./schemas.js";

export const toInteractionView = (i: InteractionWithAgent) => ({
  id: i.id,
  customerId: i.customerId,
  loanId: i.loanId,
  agentId: i.agentId,
  agentName: i.agentName,
  apiKeyId: i.apiKeyId,
  channel: i.channel,
  direction: i.direction,
  callId: i.callId,
  startedAt: i.startedAt.toISOString(),
  durationSeconds: i.durationSeconds,
  disposition: i.disposition,
  notes: i.notes,
  createdAt: i.createdAt.toISOString(),
  version: i.version,
});

export const toInteractionDetail = (i: InteractionWithAgent) => ({
  ...toInteractionView(i),
  version: i.version,
  callbackAt: i.callbackAt?.toISOString() ?? null,
  updatedAt: i.updatedAt?.toISOString() ?? null,
});

export async function getInteractionDetail(services: Services, id: string) {
  const found = await findInteraction(services.db, id);
  if (!found) throw new AppError("NOT_FOUND", "Interaction not found");
  return toInteractionDetail(found);
}

const EFFECTS_NOT_RERUN =
  "Corrected. The disposition's effects (promise to pay, loan status, number flags, callback) were not re-run: adjust those records separately if needed.";

/**
 * A supervisor's correction of what an agent recorded: notes and the disposition label only. The
 * disposition's effects happened when it was logged and are not replayed (a promise row, a loan
 * status, a do-not-call flag may have been acted on since); the response and the audit entry say so,
 * and the audit entry keeps the original values.
 */
export async function correctInteraction(
  services: Services,
  id: string,
  version: number,
  input: { notes?: string | null; disposition?: string },
  ctx: RequestContext,
) {
  const { db, clock } = services;
  const now = clock.now();
  return db.transaction(async (tx) => {
    const found = await findInteraction(tx, id, true);
    if (!found) throw new AppError("NOT_FOUND", "Interaction not found");
    const changes: { notes?: string | null; disposition?: string } = {};
    if (input.notes !== undefined) changes.notes = input.notes;
    if (input.disposition !== undefined) {
      const disposition = await findDisposition(tx, input.disposition);
      if (!disposition?.isActive) {
        throw new AppError("VALIDATION_ERROR", "Unknown disposition", {
          details: [{ path: "/disposition", message: "is not a known disposition" }],
        });
      }
      changes.disposition = input.disposition;
    }
    const updated = await updateInteractionAtVersion(tx, { id, version }, changes, now, async () =>
      versionConflict(toInteractionDetail(found), await lastChange(tx, "interaction", id)),
    );
    await recordAudit(tx, ctx, {
      action: "interaction.corrected",
      entityType: "interaction",
      entityId: id,
      details: {
        customerId: found.customerId,
        changes: diff(found, updated, ["notes", "disposition"]),
        original: { notes: found.notes, disposition: found.disposition, version: found.version },
        effectsReRun: false,
      },
    });
    return {
      ...toInteractionDetail({ ...updated, agentName: found.agentName }),
      effectsReRun: false as const,
      notice: EFFECTS_NOT_RERUN,
    };
  });
}

export async function listInteractionViews(services: Services, query: Static<typeof InteractionListQuery>) {
  const after = timeKeyOf(query.cursor);
  const rows = await listInteractions(services.db, {
    ...query,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    after,
    limit: query.limit + 1,
  });
  return paginate(rows.map(toInteractionView), query.limit, (v) => [v.startedAt, v.id]);
}

/** A contact logged by hand (a note, an SMS, a visit, a call outside the dialer); the agent is the caller. */
export async function logInteraction(
  services: Services,
  input: Static<typeof InteractionCreateBody>,
  agent: { id: string; name: string },
  ctx: RequestContext,
) {
  const { db, clock } = services;
  const now = clock.now();
  return db.transaction(async (tx) => {
    if (!(await findCustomer(tx, input.customerId)))
      throw new AppError("VALIDATION_ERROR", "No customer has this id", {
        details: [{ path: "/customerId", message: "no such customer" }],
      });
    if (input.loanId) {
      if (!(await loanBelongsTo(tx, input.loanId, input.customerId)))
        throw new AppError("VALIDATION_ERROR", "The loan does not belong to this customer", {
          details: [{ path: "/loanId", message: "is not a loan of this customer" }],
        });
    }
    const row = await insertInteraction(tx, {
      customerId: input.customerId,
      loanId: input.loanId ?? null,
      agentId: agent.id,
      channel: input.channel,
      direction: input.direction,
      callId: input.callId ?? null,
      startedAt: input.startedAt ? new Date(input.startedAt) : now,
      durationSeconds: input.durationSeconds ?? null,
      disposition: input.disposition ?? null,
      notes: input.notes ?? null,
      createdAt: now,
    });
    await recordAudit(tx, ctx, {
      action: "interaction.created",
      entityType: "customer",
      entityId: input.customerId,
      details: { interactionId: row.id, channel: row.channel, disposition: row.disposition },
    });
    return toInteractionView({ ...row, agentName: agent.name });
  });
}
