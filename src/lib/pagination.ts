import { and, type Column, eq, lt, or, type SQL } from "drizzle-orm";
import { Type } from "typebox";
import { AppError } from "./errors.js";

export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 100;

export const LimitQuery = Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT });
export const CursorQuery = Type.String({ minLength: 1, maxLength: 512, description: "The previous page's nextCursor" });

export const PageInfo = Type.Object({
  limit: Type.Integer(),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: "Pass as ?cursor= for the next page; null on the last",
  }),
});

/** A keyset position: the sort values of the last row of a page, opaque to clients. */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

/**
 * What each position of a cursor must hold. A cursor comes back from the client, so every value is
 * checked before it reaches a query: a forged one is a 400, never a RangeError or a driver error.
 * A trailing `?` admits null.
 */
export type CursorField = "timestamp" | "uuid" | "date" | "decimal" | "integer" | "text";
export type CursorSpec = CursorField | `${CursorField}?`;
type Decoded<S> = S extends `${string}?` ? string | number | null : S extends "integer" ? number : string;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d{1,16}(\.\d{1,4})?$/;
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const UNSTORABLE = /\u0000|[\ud800-\udfff]/;

function fits(field: CursorField, v: unknown): boolean {
  switch (field) {
    case "integer":
      return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    case "uuid":
      return typeof v === "string" && UUID.test(v);
    case "timestamp":
      return typeof v === "string" && ISO_TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));
    case "date":
      return (
        typeof v === "string" &&
        ISO_DATE.test(v) &&
        !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
        new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)
      );
    case "decimal":
      return typeof v === "string" && DECIMAL.test(v);
    case "text":
      return typeof v === "string" && v.length <= 512 && !UNSTORABLE.test(v);
  }
}

export function decodeCursor<const S extends readonly CursorSpec[]>(
  cursor: string,
  spec: S,
): { [K in keyof S]: Decoded<S[K]> } {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    values = undefined;
  }
  const valid =
    Array.isArray(values) &&
    values.length === spec.length &&
    spec.every((s, i) => {
      const nullable = s.endsWith("?");
      const v = values[i];
      return (nullable && v === null) || fits(s.replace("?", "") as CursorField, v);
    });
  if (!valid) {
    throw new AppError("INVALID_CURSOR", undefined, {
      details: [{ path: "/cursor", message: "is not a cursor from this list (or from this sort)" }],
    });
  }
  return values as { [K in keyof S]: Decoded<S[K]> };
}

/** Splits a limit+1 fetch into the page and the cursor of its last row. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number | null)[]) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { data: page, page: { limit, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null } };
}

/** Where a newest-first page ended: the sort timestamp and id of its last row. */
export interface TimeKey {
  at: Date;
  id: string;
}

/** The position a newest-first list's cursor (timestamp, uuid) holds; none on the first page. */
export function timeKeyOf(cursor: string | undefined): TimeKey | undefined {
  if (!cursor) return undefined;
  const [at, id] = decodeCursor(cursor, ["timestamp", "uuid"]);
  return { at: new Date(at), id };
}

/** The cursor values of a row of a newest-first list, the inverse of `timeKeyOf`. */
export const timeCursor = (at: Date | string, id: string) => [typeof at === "string" ? at : at.toISOString(), id];

/**
 * The rows after `key` in a list ordered by (`at` desc, `id` desc): the one keyset condition of the
 * newest-first lists. Ids break ties between equal timestamps so pages never overlap or skip.
 */
export function olderThan(at: Column, id: Column, key: TimeKey | undefined): SQL | undefined {
  if (!key) return undefined;
  return or(lt(at, key.at), and(eq(at, key.at), lt(id, key.id)));
}

/** The position of a list ordered by a growing integer id alone (audit log, sign-in history). */
export const idKeyOf = (cursor: string | undefined): number | undefined =>
  cursor ? decodeCursor(cursor, ["integer"])[0] : undefined;

/** The rows after `beforeId` in a list ordered by `id` desc. */
export const belowId = (id: Column, beforeId: number | undefined): SQL | undefined =>
  beforeId === undefined ? undefined : lt(id, beforeId);
