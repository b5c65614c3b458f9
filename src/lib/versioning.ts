import { Type } from "typebox";
import { AppError } from "./errors.js";

export const VersionField = Type.Integer({
  minimum: 1,
  description: "The version you read; a stale one gets 409 VERSION_CONFLICT (or send it as If-Match)",
});

/**
 * The version a PATCH is based on, from the body or an If-Match header ("3", W/"3" or 3). Required:
 * without it a second editor would silently overwrite the first.
 */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: string | undefined): number {
  if (bodyVersion !== undefined) return bodyVersion;
  const match = ifMatch?.match(/^(?:W\/)?"?(\d+)"?$/);
  if (match?.[1]) return Number(match[1]);
  throw new AppError("VALIDATION_ERROR", "Send the version you read, as `version` or an If-Match header", {
    details: [{ path: "/version", message: "is required (or send If-Match)" }],
  });
}

/** `changedBy`: who made the newest change (null when unknown); `current.updatedAt` says when. */
export const versionConflict = (
  current: unknown,
  changedBy: { id: string | null; name: string | null } | null = null,
) =>
  new AppError("VERSION_CONFLICT", "The record was changed by someone else; review the current version and retry", {
    extra: { current, changedBy },
  });

/** Field-by-field changes for the audit log: only what actually differs. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>, fields: string[]) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    const from = before[field] instanceof Date ? (before[field] as Date).toISOString() : before[field];
    const to = after[field] instanceof Date ? (after[field] as Date).toISOString() : after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from: from ?? null, to: to ?? null };
  }
  return changes;
}
