import type { Static } from "typebox";
import { AppError } from "../../lib/errors.js";
import { diff } from "../../lib/versioning.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { effectsOf, isBuiltInDisposition, requiredFields } from "./disposition-effects.js";
import {
  type DispositionRecord,
  insertDisposition,
  listAllDispositions,
  updateDisposition,
} from "./disposition-repository.js";
import type { DispositionCreateBody, DispositionPatchBody } from "./disposition-schemas.js";

const FIELDS = ["label", "contacted", "rightPartyContact", "isActive", "sortOrder"];

/** An outcome as the administrator sees it: whether it is built in (its effects are code) and what it needs. */
export function toDispositionAdminView(row: DispositionRecord) {
  return {
    code: row.code,
    label: row.label,
    contacted: row.contacted,
    rightPartyContact: row.rightPartyContact,
    isActive: row.isActive,
    sortOrder: row.sortOrder,
    builtIn: isBuiltInDisposition(row.code),
    requires: requiredFields(effectsOf(row)),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Creating and changing an outcome answer the same contradiction the same way. */
function refuseRightPartyWithoutContact(input: { contacted?: boolean; rightPartyContact?: boolean }) {
  if (input.rightPartyContact === true && input.contacted === false)
    throw new AppError("VALIDATION_ERROR", "A right-party contact is a contact", {
      details: [{ path: "/contacted", message: "must be true when rightPartyContact is true" }],
    });
}

export async function listDispositionsForAdmin(services: Services) {
  return (await listAllDispositions(services.db)).map(toDispositionAdminView);
}

/**
 * A centre's own outcome: it counts as a contact / right-party contact as declared and has no other
 * effect (effects that write loans, customers or promises are code, in disposition-effects.ts).
 */
export async function createDisposition(
  services: Services,
  input: Static<typeof DispositionCreateBody>,
  ctx: RequestContext,
) {
  refuseRightPartyWithoutContact(input);
  return services.db.transaction(async (tx) => {
    const row = await insertDisposition(tx, {
      code: input.code,
      label: input.label,
      contacted: input.contacted,
      rightPartyContact: input.rightPartyContact ?? false,
      sortOrder: input.sortOrder ?? 100,
    });
    await recordAudit(tx, ctx, {
      action: "disposition.created",
      entityType: "disposition",
      entityId: row.code,
      details: { label: row.label, contacted: row.contacted, rightPartyContact: row.rightPartyContact },
    });
    return toDispositionAdminView(row);
  });
}

/** Relabels, reorders, retires (isActive false) or re-counts an outcome; built-in ones too (start-up warns). */
export async function patchDisposition(
  services: Services,
  code: string,
  input: Static<typeof DispositionPatchBody>,
  ctx: RequestContext,
) {
  refuseRightPartyWithoutContact(input);
  return services.db.transaction(async (tx) => {
    const changes = { ...input, ...(input.rightPartyContact ? { contacted: true } : {}) };
    const result = await updateDisposition(tx, code, changes);
    if (!result) throw new AppError("NOT_FOUND", "No disposition has this code");
    const changed = diff(result.before, result.after, FIELDS);
    if (Object.keys(changed).length > 0)
      await recordAudit(tx, ctx, {
        action: "disposition.updated",
        entityType: "disposition",
        entityId: code,
        details: { changes: changed, builtIn: isBuiltInDisposition(code) },
      });
    return toDispositionAdminView(result.after);
  });
}
