import { Readable } from "node:stream";

/**
 * One CSV cell. Quotes what needs quoting, and defuses formula injection: a cell a spreadsheet would
 * run (=, +, -, @ first) is prefixed with an apostrophe, since exports are opened in Excel.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: unknown[]) => `${values.map(csvCell).join(",")}\r\n`;

/** Streams rows page by page, so an export of a year of history never sits in memory at once. */
export function csvStream<T>(header: string[], pages: () => AsyncGenerator<T[]>, toValues: (row: T) => unknown[]): Readable {
  return Readable.from(
    (async function* () {
      yield csvLine(header);
      for await (const page of pages()) {
        yield page.map((row) => csvLine(toValues(row))).join("");
      }
    })(),
  );
}
