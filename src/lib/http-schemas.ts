import { type TSchema, Type } from "typebox";
import { type ErrorCode, errorStatus } from "./errors.js";

/** The one error shape every non-2xx response has. Extra fields (lockedUntil…) may follow `details`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ examples: ["VALIDATION_ERROR"] }),
        message: Type.String(),
        details: Type.Optional(
          Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
            description: "One entry per invalid field, as a JSON pointer into the request",
          }),
        ),
      },
      { additionalProperties: true },
    ),
    requestId: Type.String(),
  },
  { additionalProperties: true, $id: undefined, title: "ErrorResponse" },
);

export const MessageResponse = Type.Object({ message: Type.String() });

/** Every route documents the error shape for client and server errors. */
export const defaultErrorResponses = { "4xx": ErrorResponse, "5xx": ErrorResponse } as const;

/** Where a route's `errorResponses(...)` entries keep their codes until the app merges them. */
const CODES = "x-error-codes";

/** One documented error status: the shape, described by the codes it carries. */
const errorEntry = (codes: ErrorCode[]) => ({
  ...ErrorResponse,
  description: `Error codes: ${codes.map((c) => `\`${c}\``).join(", ")}`,
  [CODES]: codes,
});

/**
 * Response entries for the catalogue codes a route can return, one per status (the catalogue gives
 * it), e.g. `response: { 200: View, ...errorResponses("NOT_FOUND", "VERSION_CONFLICT") }`. The codes
 * every route of a kind returns (validation, sign-in, role) are added by the app, see `documentErrors`.
 */
export function errorResponses(...codes: ErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes))
    byStatus.set(errorStatus(code), [...(byStatus.get(errorStatus(code)) ?? []), code]);
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, errorEntry(list)]));
}

/** Marks a hook (authenticate, a role check) with the codes it throws, so routes using it document them. */
export function throwing<F extends object>(hook: F, ...codes: ErrorCode[]): F {
  return Object.assign(hook, { [CODES]: codes });
}

const hookCodes = (hooks: unknown): ErrorCode[] =>
  [hooks].flat().flatMap((h) => ((h as Record<string, unknown> | undefined)?.[CODES] as ErrorCode[] | undefined) ?? []);

interface RouteShape {
  schema?: {
    body?: unknown;
    querystring?: unknown;
    params?: unknown;
    headers?: unknown;
    response?: Record<string, unknown>;
  };
  onRequest?: unknown;
  preValidation?: unknown;
  preHandler?: unknown;
}

/**
 * A route's response map with every error status it can return and the codes of each: those it
 * declares with `errorResponses`, those of its hooks, and those any route with input, a body or a
 * cursor gets.
 * A status the route documents with its own schema (e.g. /ready's 503) is left as it is.
 */
export function documentErrors(route: RouteShape): Record<string, unknown> {
  const response = route.schema?.response ?? {};
  const codes: ErrorCode[] = ["INTERNAL_ERROR", "DATABASE_UNAVAILABLE"];
  const schema = route.schema ?? {};
  if (schema.body || schema.querystring || schema.params || schema.headers) codes.push("VALIDATION_ERROR");
  if (schema.body) codes.push("INVALID_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
  // Every keyset list takes ?cursor= and refuses one it did not issue (lib/pagination.ts decodeCursor).
  if ((schema.querystring as { properties?: Record<string, unknown> } | undefined)?.properties?.cursor)
    codes.push("INVALID_CURSOR");
  codes.push(...hookCodes(route.onRequest), ...hookCodes(route.preValidation), ...hookCodes(route.preHandler));
  const own: Record<string, unknown> = {};
  for (const [status, entry] of Object.entries(response)) {
    const declared = (entry as Record<string, unknown>)[CODES] as ErrorCode[] | undefined;
    if (declared) codes.push(...declared);
    else own[status] = entry;
  }
  const merged: Record<string, unknown> = { ...defaultErrorResponses };
  for (const [status, entry] of Object.entries(errorResponses(...codes))) {
    const { [CODES]: _codes, ...documented } = entry as Record<string, unknown>;
    merged[status] = documented;
  }
  return { ...merged, ...own };
}

/** A field that may be null (JSON null, not absent). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
