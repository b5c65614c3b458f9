import type { Config } from "../config.js";

/**
 * Anything that could carry a secret is censored wherever it appears in a log object. Fastify's own
 * request serializer logs no headers or bodies; this is the net under everything else we log.
 */
const SECRET_KEYS = [
  "password",
  "newPassword",
  "currentPassword",
  "new_password",
  "passwordHash",
  "password_hash",
  "otp",
  "token",
  "refresh",
  "refreshToken",
  "accessToken",
  "resetToken",
  "apiKey",
  "secret",
  "JWT_SECRET",
  "EMAIL_PASS",
  "DB_PASSWORD",
];

export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["x-api-key"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
];

const SENSITIVE_QUERY = /([?&](?:token|otp|code|refresh|password|api_?key|key)=)[^&]*/gi;

/** Query strings can carry secrets too; keep the parameter name, drop its value. */
export function redactUrl(url: string): string {
  return url.replace(SENSITIVE_QUERY, "$1[REDACTED]");
}

/**
 * Drizzle's query errors put the bound parameters in the message (a password hash, an email);
 * logs keep the SQL and the driver's code, not the values.
 */
export function serializeError(err: unknown): {
  type: string;
  message: string;
  stack: string;
  [key: string]: unknown;
} {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err), stack: "" };
  const e = err as Error & { code?: unknown; cause?: unknown; constraint?: unknown; statusCode?: unknown };
  return {
    type: e.name,
    message: e.message.replace(/\nparams: [\s\S]*$/, ""),
    code: e.code,
    constraint: e.constraint,
    statusCode: e.statusCode,
    stack: e.stack?.replace(/\nparams: [\s\S]*?\n(\s+at )/, "\n$1") ?? "",
    cause: e.cause === undefined ? undefined : serializeError(e.cause),
  };
}

export function loggerOptions(config: Config) {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
    serializers: {
      err: serializeError,
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        ip: req.ip,
      }),
    },
  };
}
