import { AppError, type ErrorDetail } from "./errors.js";

/** Driver and network codes that mean "the database is not there", as opposed to a bad query. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "EAI_AGAIN",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "53300", // too_many_connections
]);

const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
];

interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

/** Drizzle wraps driver errors (DrizzleQueryError.cause); walk the chain to the one with a code. */
function driverErrorOf(err: unknown): DriverError | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as DriverError & { cause?: unknown };
    if (typeof candidate.code === "string" && !candidate.code.startsWith("FST_")) return candidate;
    current = candidate.cause;
  }
  return undefined;
}

/** The SQLSTATE of a database error, through Drizzle's wrapping. */
export const postgresCodeOf = (err: unknown): string | undefined => driverErrorOf(err)?.code;

export function isDatabaseUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as DriverError & { cause?: unknown; errors?: unknown[] };
    if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
    if (e.message && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message ?? ""))) return true;
    // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = e.cause;
  }
  return false;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** "Key (email)=(a@b.c) already exists." → ["email"]; values are never echoed to the client. */
function conflictingFields(detail: string | undefined): string[] {
  const match = detail?.match(/^Key \((.+?)\)=/);
  if (!match?.[1]) return [];
  return match[1]
    .split(",")
    .map((part) => part.trim().match(/([a-z_][a-z0-9_]*)(?:::\w+)?\)*$/i)?.[1] ?? part.trim())
    .map(camel);
}

/** Postgres errors that are the client's fault, mapped to the catalogue; undefined for the rest. */
export function mapPostgresError(err: unknown): AppError | undefined {
  if (isDatabaseUnavailable(err)) return new AppError("DATABASE_UNAVAILABLE", undefined, { cause: err });
  const pgError = driverErrorOf(err);
  if (!pgError?.code) return undefined;
  switch (pgError.code) {
    case "23505": {
      const fields = conflictingFields(pgError.detail);
      const details: ErrorDetail[] = fields.map((f) => ({ path: `/${f}`, message: "already exists" }));
      const what = fields.length > 0 ? fields.join(" and ") : "value";
      return new AppError("CONFLICT", `A record with this ${what} already exists`, { details });
    }
    case "23503":
      return new AppError("CONFLICT", "The record refers to, or is referred to by, another record");
    case "23502":
    case "23514":
    case "22P02":
    case "22003":
    case "22007":
    case "22008":
    case "22001":
      return new AppError("VALIDATION_ERROR", "A value is out of range or of the wrong form");
    case "40001":
    case "40P01":
      return new AppError("CONFLICT", "The record was changed concurrently; retry the request");
    default:
      return undefined;
  }
}
