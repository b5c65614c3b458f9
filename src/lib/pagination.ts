import { Type } from "typebox";
import { AppError } from "./errors.js";

export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 100;

export const LimitQuery = Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT });
export const CursorQuery = Type.String({ minLength: 1, maxLength: 512, description: "The previous page's nextCursor" });

export const PageInfo = Type.Object({
  limit: Type.Integer(),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as ?cursor= for the next page; null on the last" }),
});

/** A keyset position: the sort values of the last row of a page, opaque to clients. */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, length: number): (string | number | null)[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => v === null || typeof v === "string" || typeof v === "number")
    ) {
      return values;
    }
  } catch {}
  throw new AppError("VALIDATION_ERROR", "The cursor is not valid; start again without it", {
    details: [{ path: "/cursor", message: "is not a cursor from this list (or from this sort)" }],
  });
}

/** Splits a limit+1 fetch into the page and the cursor of its last row. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number | null)[]) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { data: page, page: { limit, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null } };
}
