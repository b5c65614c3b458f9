import { randomBytes } from "node:crypto";
import type { ApiKeyScope } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { sha256Hex } from "../auth/tokens.js";
import { releaseClaims } from "../allocation/repository.js";
import {
  type ApiKeyRow,
  findActiveKeyByHash,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from "./repository.js";

/** Integration keys are recognisable by their prefix, so one Authorization header can carry either. */
export const API_KEY_PREFIX = "crm_";

export const toApiKeyView = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  keyPrefix: k.keyPrefix,
  scopes: k.scopes,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export async function createApiKey(
  services: Services,
  input: { name: string; scopes: ApiKeyScope[] },
  ctx: RequestContext,
) {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    const row = await insertApiKey(tx, {
      name: input.name.trim(),
      keyHash: sha256Hex(key),
      keyPrefix: key.slice(0, 12),
      scopes: input.scopes,
      createdBy: ctx.actorId ?? null,
      createdAt: now,
    });
    await recordAudit(tx, ctx, {
      action: "api_key.created",
      entityType: "api_key",
      entityId: row.id,
      details: { name: row.name, scopes: row.scopes },
    });
    return { ...toApiKeyView(row), key };
  });
}

export async function listApiKeyViews(services: Services) {
  return { data: (await listApiKeys(services.db)).map(toApiKeyView) };
}

export async function revokeKey(services: Services, id: string, ctx: RequestContext) {
  await services.db.transaction(async (tx) => {
    const row = await revokeApiKey(tx, id, services.clock.now());
    if (!row) throw new AppError("NOT_FOUND", "API key not found (or already revoked)");
    // A revoked dialer cannot call its batch: the customers go back to the pools.
    const claimsReleased = (await releaseClaims(tx, { apiKeyId: id }, "holder_disabled", services.clock.now())).length;
    await recordAudit(tx, ctx, {
      action: "api_key.revoked",
      entityType: "api_key",
      entityId: id,
      details: { name: row.name, claimsReleased },
    });
  });
}

/** Resolves a presented key; undefined when unknown or revoked. */
export async function verifyApiKey(services: Services, key: string): Promise<ApiKeyRow | undefined> {
  const row = await findActiveKeyByHash(services.db, sha256Hex(key));
  if (row) await touchApiKey(services.db, row.id, services.clock.now());
  return row;
}
