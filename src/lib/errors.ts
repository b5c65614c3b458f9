export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * The error catalogue: every code a client can receive, with its HTTP status and default message.
 * Clients branch on `code`, so codes are a contract: add new ones, never rename. It is closed: AppError
 * takes only these codes, the status comes from here, and the README's table is checked against it
 * (`npm run docs:errors` rewrites it).
 */
export const ErrorCatalogue = {
  VALIDATION_ERROR: { status: 400, message: "The request is not valid" },
  INVALID_JSON: { status: 400, message: "The request body is not valid JSON" },
  UNAUTHORIZED: { status: 401, message: "Authentication is required" },
  FORBIDDEN: { status: 403, message: "You do not have permission to do this" },
  NOT_FOUND: { status: 404, message: "Not found" },
  CONFLICT: { status: 409, message: "The request conflicts with existing data" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Unsupported content type; send application/json" },
  RATE_LIMITED: { status: 429, message: "Too many requests; try again later" },
  HEADERS_TOO_LARGE: { status: 431, message: "The request line or headers are too large" },
  REQUEST_TIMEOUT: { status: 408, message: "The request took too long to arrive" },
  INVALID_CURSOR: { status: 400, message: "The cursor is not valid; start again without it" },
  INVALID_PHONE: { status: 400, message: "The phone number is not valid" },
  INVALID_CREDENTIALS: { status: 401, message: "Invalid email/phone or password" },
  ACCOUNT_DISABLED: { status: 403, message: "The account is disabled; contact an administrator" },
  REGISTRATION_CLOSED: { status: 403, message: "Registration is closed" },
  EMAIL_NOT_VERIFIED: { status: 403, message: "Verify your email address first" },
  PASSWORD_CHANGE_REQUIRED: { status: 403, message: "Change the initial password first" },
  ACCOUNT_PENDING_APPROVAL: { status: 403, message: "The account is waiting for an administrator's approval" },
  REAUTH_REQUIRED: { status: 403, message: "Confirm with your current password (currentPassword)" },
  LAST_ADMIN: { status: 409, message: "The last active admin cannot be demoted, locked or deactivated" },
  VERSION_CONFLICT: { status: 409, message: "The record was changed by someone else" },
  CUSTOMER_NOT_FOUND: { status: 404, message: "No customer has this phone number" },
  ACCOUNT_LOCKED: { status: 423, message: "The account is locked; try again later" },
  INVALID_OTP: { status: 400, message: "The code is not correct" },
  INVALID_RESET_TOKEN: { status: 400, message: "The reset token is wrong, already used or expired" },
  OTP_EXPIRED: { status: 410, message: "The code has expired" },
  OTP_BLOCKED: { status: 423, message: "Too many wrong codes" },
  OTP_COOLDOWN: { status: 429, message: "Wait before asking for another code" },
  OTP_RESEND_LIMIT: { status: 429, message: "No more resends for this code" },
  EMAIL_DELIVERY_FAILED: { status: 502, message: "The email could not be sent" },
  CLAIM_NOT_FOUND: { status: 404, message: "You hold no live claim on this customer" },
  INTERNAL_ERROR: { status: 500, message: "An unexpected error occurred" },
  DATABASE_UNAVAILABLE: { status: 503, message: "The database is unavailable; try again shortly" },
  /** GET /ready only, which answers it itself with the readiness fields beside `error`. */
  NOT_READY: { status: 503, message: "The service is not ready" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCatalogue;

export const ERROR_CODES = Object.keys(ErrorCatalogue) as ErrorCode[];

export const errorStatus = (code: ErrorCode): number => ErrorCatalogue[code].status;

export class AppError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    options: {
      /** Only for Fastify's own 4xx statuses that have no code of their own; the catalogue gives the rest. */
      status?: number;
      details?: ErrorDetail[];
      /** Extra top-level fields of the error object (e.g. lockedUntil, attemptsLeft). */
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    const known = ErrorCatalogue[code];
    super(message ?? known.message, { cause: options.cause });
    this.name = "AppError";
    this.statusCode = options.status ?? known.status;
    this.details = options.details;
    this.extra = options.extra;
    this.headers = options.headers;
  }

  readonly details?: ErrorDetail[];
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/** 429 with the wait both as the Retry-After header and in the body. */
export const rateLimited = (retryAfter: number) =>
  new AppError("RATE_LIMITED", undefined, { headers: { "retry-after": String(retryAfter) }, extra: { retryAfter } });
