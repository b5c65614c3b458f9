import type { FastifyInstance } from "fastify";
import { API_KEY_PREFIX, verifyApiKey } from "../modules/api-keys/service.js";
import { registerAuthGuard } from "../modules/auth/guard.js";
import type { Services } from "../services.js";

/**
 * The session check and role hooks live in the auth module (auth/guard.ts); this wires them with
 * the API-key check, which the auth module may not import (api-keys' routes use the guard).
 */
export function registerAuth(app: FastifyInstance, services: Services) {
  registerAuthGuard(app, services, { prefix: API_KEY_PREFIX, verify: verifyApiKey });
}
