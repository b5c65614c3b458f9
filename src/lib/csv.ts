import { Readable } from "node:stream";

/**
 * One CSV cell, always quoted, with formula injection defused: a cell a spreadsheet would run (=, +, -,
 * @, tab or CR first, also after leading spaces) gets an apostrophe in front, since exports are opened in
 * Excel. Every cell is quoted so that a `;` (the separator of French-locale spreadsheets) can never end
 * a cell early and start a formula in the next one.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '""';
  let text =
    value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^\s*[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const csvLine = (values: unknown[]) => `${values.map(csvCell).join(",")}\r\n`;

/** Streams rows page by page, so an export of a year of history never sits in memory at once. */
export function csvStream<T>(
  header: string[],
  pages: () => AsyncGenerator<T[]>,
  toValues: (row: T) => unknown[],
): Readable {
  return Readable.from(
    (async function* () {
      yield csvLine(header);
      for await (const page of pages()) {
        yield page.map((row) => csvLine(toValues(row))).join("");
      }
    })(),
  );
}
