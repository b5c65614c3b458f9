import type { Static } from "typebox";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { deletePrefixRow, insertPrefix, listPrefixRows, type PrefixRow, updatePrefixRow } from "./repository.js";
import type { PrefixBody, PrefixPatchBody } from "./schemas.js";

const toView = (p: PrefixRow) => ({
  id: p.id,
  prefix: p.prefix,
  description: p.description,
  isActive: p.isActive,
  createdAt: p.createdAt.toISOString(),
});

export async function listPrefixes(services: Services) {
  return {
    data: (await listPrefixRows(services.db)).map(toView),
  };
}

export async function createPrefix(services: Services, input: Static<typeof PrefixBody>, ctx: RequestContext) {
  return services.db.transaction(async (tx) => {
    const row = await insertPrefix(tx, {
      prefix: input.prefix,
      description: input.description ?? null,
      isActive: input.isActive ?? true,
      createdAt: services.clock.now(),
    });
    await recordAudit(tx, ctx, {
      action: "phone_prefix.created",
      entityType: "phone_prefix",
      entityId: String(row.id),
      details: { prefix: row.prefix },
    });
    return toView(row);
  });
}

export async function updatePrefix(
  services: Services,
  id: number,
  input: Static<typeof PrefixPatchBody>,
  ctx: RequestContext,
) {
  return services.db.transaction(async (tx) => {
    const row = await updatePrefixRow(tx, id, input);
    if (!row) throw new AppError("NOT_FOUND", "Prefix not found");
    await recordAudit(tx, ctx, {
      action: "phone_prefix.updated",
      entityType: "phone_prefix",
      entityId: String(id),
      details: { ...input },
    });
    return toView(row);
  });
}

export async function deletePrefix(services: Services, id: number, ctx: RequestContext) {
  await services.db.transaction(async (tx) => {
    const row = await deletePrefixRow(tx, id);
    if (!row) throw new AppError("NOT_FOUND", "Prefix not found");
    await recordAudit(tx, ctx, {
      action: "phone_prefix.deleted",
      entityType: "phone_prefix",
      entityId: String(id),
      details: { prefix: row.prefix },
    });
  });
}
