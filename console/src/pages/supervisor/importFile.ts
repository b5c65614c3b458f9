/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (quoted && c === '"' && next === '"') {
      field += '"';
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && next === "\n") i++;
      endRow();
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length) rows.push([...row, field]);
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

const LOAN_COLUMNS = new Set([
  "loanNumber",
  "productName",
  "principal",
  "interestRate",
  "termMonths",
  "installmentAmount",
  "currency",
  "disbursedAt",
  "outstandingBalance",
  "amountOverdue",
  "nextDueDate",
  "missedInstallments",
  "paymentStatus",
  "collectionStatus",
]);
const INTEGERS = new Set(["termMonths", "missedInstallments"]);

export interface Parsed {
  body: { customers: Record<string, unknown>[] };
  /** Where each customer came from, for the errors: a CSV line or a JSON index, counted from 1. */
  sourceOf: number[];
}

/**
 * A CSV (one line per customer, or per loan: lines sharing an externalRef are one customer; loan
 * columns by their API names) or a JSON file ({ customers: [...] } or an array) as the import body.
 */
export function parseImportFile(name: string, text: string): Parsed {
  if (/\.json$/i.test(name) || text.trimStart().startsWith("{") || text.trimStart().startsWith("[")) {
    const json = JSON.parse(text) as unknown;
    const customers = (Array.isArray(json) ? json : (json as { customers?: unknown[] }).customers) ?? [];
    return { body: { customers: customers as Record<string, unknown>[] }, sourceOf: customers.map((_, i) => i + 1) };
  }
  const [header, ...lines] = parseCsv(text);
  const columns = (header ?? []).map((h) => h.trim());
  const byRef = new Map<string, Record<string, unknown>>();
  const customers: Record<string, unknown>[] = [];
  const sourceOf: number[] = [];
  lines.forEach((cells, n) => {
    const customer: Record<string, unknown> = {};
    const loan: Record<string, unknown> = {};
    columns.forEach((col, i) => {
      const raw = (cells[i] ?? "").trim();
      if (raw === "") return;
      const value = INTEGERS.has(col) ? Number(raw) : col === "doNotCall" ? /^(true|yes|1)$/i.test(raw) : raw;
      (LOAN_COLUMNS.has(col) ? loan : customer)[col] = value;
    });
    const ref = String(customer.externalRef ?? `#${n}`);
    let target = byRef.get(ref);
    if (!target) {
      target = customer;
      byRef.set(ref, target);
      customers.push(target);
      sourceOf.push(n + 2); // the header is line 1
    }
    if (Object.keys(loan).length) target.loans = [...((target.loans as unknown[]) ?? []), loan];
  });
  return { body: { customers }, sourceOf };
}
