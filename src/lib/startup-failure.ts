import type { Config } from "../config.js";
import { diagnoseDatabaseError } from "../db/diagnose.js";
import { serializeError } from "./logger.js";

const codeOf = (err: unknown) => (err as { code?: unknown })?.code;

/**
 * What the operator reads when the server cannot start: the same category and fix `crm doctor`
 * prints, never a raw driver message (which for a failed query carries its bound parameters, a
 * password hash among them).
 */
export function describeStartupFailure(err: unknown, config: Config): string {
  if (codeOf(err) === "EADDRINUSE") {
    return `failed to start: [PORT_IN_USE] ${config.HOST}:${config.PORT} is already in use\n  fix: stop the other process or set PORT`;
  }
  if (codeOf(err) === "EACCES") {
    return `failed to start: [PORT_FORBIDDEN] this user may not listen on ${config.HOST}:${config.PORT}\n  fix: use a port above 1024 (PORT)`;
  }
  const diagnosis = diagnoseDatabaseError(err, config.database);
  if (config.database.engine === "postgres" && diagnosis.category !== "DATABASE_ERROR") {
    return `failed to start: [${diagnosis.category}] ${diagnosis.message}\n  fix: ${diagnosis.fix}\n  (run \`crm doctor\` to check everything)`;
  }
  const safe = serializeError(err);
  const cause = safe.cause as { message?: string; code?: unknown } | undefined;
  const code = safe.code ?? cause?.code;
  const message = `${safe.message}${cause?.message ? `: ${cause.message}` : ""}${code ? ` (code ${String(code)})` : ""}`;
  return `failed to start: ${message}\n  (run \`crm doctor\` to check the configuration, database, SMTP and Redis)`;
}
