import { inArray, sql } from "drizzle-orm";
import { Type, type Static } from "typebox";
import { customers, loans } from "../../db/schema/index.js";
import { AppError, type ErrorDetail } from "../../lib/errors.js";
import { formatMoney, toCents } from "../../lib/money.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { DEFAULT_TIMEZONE, refreshCustomerArrears } from "../loans/arrears.js";
import { LoanCreateBody } from "../loans/schemas.js";
import { missedInstallmentsFor } from "../loans/service.js";
import { CustomerCreateBody } from "./schemas.js";
import { normaliseCustomerInput } from "./service.js";

export const MAX_IMPORT_ROWS = 5000;
const CHUNK = 500;

const { customerId: _customerId, ...loanFields } = LoanCreateBody.properties;
export const ImportLoan = Type.Object(loanFields, { additionalProperties: false });
export const ImportCustomer = Type.Object(
  {
    ...CustomerCreateBody.properties,
    externalRef: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "The lender's customer number: the upsert key",
    }),
    loans: Type.Optional(Type.Array(ImportLoan, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export const ImportBody = Type.Object(
  { customers: Type.Array(ImportCustomer, { minItems: 1, maxItems: MAX_IMPORT_ROWS }) },
  { additionalProperties: false },
);
export const ImportQuery = Type.Object({ dryRun: Type.Boolean({ default: false }) }, { additionalProperties: false });
const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer() });
export const ImportResult = Type.Object({ dryRun: Type.Boolean(), customers: Counts, loans: Counts });

type ImportInput = Static<typeof ImportBody>;

/** Every problem of every row, by index and field, before anything is written. */
function validateRows(input: ImportInput) {
  const details: ErrorDetail[] = [];
  const seenRefs = new Map<string, number>();
  const seenLoans = new Map<string, number>();
  const rows = input.customers.map((row, i) => {
    const base = `/customers/${i}`;
    const ref = row.externalRef.trim();
    if (seenRefs.has(ref))
      details.push({ path: `${base}/externalRef`, message: `duplicates row ${seenRefs.get(ref)}` });
    seenRefs.set(ref, i);
    let values: ReturnType<typeof normaliseCustomerInput> = {};
    try {
      const { loans: _loans, ...fields } = row;
      values = normaliseCustomerInput(fields, base);
    } catch (err) {
      if (err instanceof AppError && err.details) details.push(...err.details);
      else throw err;
    }
    (row.loans ?? []).forEach((loan, j) => {
      const path = `${base}/loans/${j}`;
      const number = loan.loanNumber.trim();
      if (seenLoans.has(number))
        details.push({ path: `${path}/loanNumber`, message: "duplicates another loan of this import" });
      seenLoans.set(number, i);
      const outstanding = loan.outstandingBalance ?? loan.principal;
      if (loan.amountOverdue && toCents(loan.amountOverdue) > toCents(outstanding)) {
        details.push({ path: `${path}/amountOverdue`, message: "exceeds outstandingBalance" });
      }
    });
    return { ref, values, loans: row.loans ?? [] };
  });
  return { rows, details };
}

/**
 * Upserts customers by externalRef and their loans by loanNumber, all or nothing: one transaction,
 * and any invalid row rejects the whole file with every problem listed.
 */
export async function importCustomers(services: Services, input: ImportInput, dryRun: boolean, ctx: RequestContext) {
  const { db, clock } = services;
  const now = clock.now();
  const { rows, details } = validateRows(input);
  if (details.length > 0) {
    throw new AppError("VALIDATION_ERROR", `The import has ${details.length} problem(s); nothing was written`, {
      details,
    });
  }
  const refs = rows.map((r) => r.ref);
  const loanNumbers = rows.flatMap((r) => r.loans.map((l) => l.loanNumber.trim()));

  if (dryRun) {
    const existingRefs = await db
      .select({ ref: customers.externalRef })
      .from(customers)
      .where(inArray(customers.externalRef, refs));
    const existingLoans = loanNumbers.length
      ? await db.select({ n: loans.loanNumber }).from(loans).where(inArray(loans.loanNumber, loanNumbers))
      : [];
    return {
      dryRun: true,
      customers: { created: refs.length - existingRefs.length, updated: existingRefs.length },
      loans: { created: loanNumbers.length - existingLoans.length, updated: existingLoans.length },
    };
  }

  return db.transaction(async (tx) => {
    const counts = { customers: { created: 0, updated: 0 }, loans: { created: 0, updated: 0 } };
    // Rows being updated are read (and locked) first, so a field the file leaves out keeps its value.
    const existingCustomers = new Map<string, typeof customers.$inferSelect>();
    for (let i = 0; i < refs.length; i += CHUNK) {
      const found = await tx
        .select()
        .from(customers)
        .where(inArray(customers.externalRef, refs.slice(i, i + CHUNK)))
        .for("update");
      for (const c of found) existingCustomers.set(c.externalRef!, c);
    }
    const idByRef = new Map<string, string>();
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows.slice(i, i + CHUNK).map((r) => {
        const {
          id: _id,
          createdAt: _c,
          version: _v,
          oldestDueDate: _o,
          totalOverdue: _t,
          ...before
        } = existingCustomers.get(r.ref) ?? {};
        return {
          timezone: DEFAULT_TIMEZONE,
          ...before,
          ...r.values,
          // The import may set do-not-call but never clears it: lifting it is a deliberate, audited edit.
          doNotCall: Boolean(r.values.doNotCall) || Boolean(existingCustomers.get(r.ref)?.doNotCall),
          externalRef: r.ref,
          fullName: r.values.fullName ?? existingCustomers.get(r.ref)?.fullName ?? "",
          phone: r.values.phone ?? existingCustomers.get(r.ref)?.phone ?? "",
          createdAt: now,
          updatedAt: now,
        };
      });
      const result = await tx
        .insert(customers)
        .values(values)
        .onConflictDoUpdate({
          target: customers.externalRef,
          set: { ...excludedColumns(CUSTOMER_COLUMNS), updatedAt: now, version: sql`${customers.version} + 1` },
        })
        .returning({ id: customers.id, ref: customers.externalRef, inserted: sql<boolean>`(xmax = 0)` });
      for (const r of result) {
        idByRef.set(r.ref!, r.id);
        counts.customers[r.inserted ? "created" : "updated"] += 1;
      }
    }

    const existingLoans = new Map<string, typeof loans.$inferSelect>();
    for (let i = 0; i < loanNumbers.length; i += CHUNK) {
      const found = await tx
        .select()
        .from(loans)
        .where(inArray(loans.loanNumber, loanNumbers.slice(i, i + CHUNK)))
        .for("update");
      for (const l of found) existingLoans.set(l.loanNumber, l);
    }
    const loanRows = rows.flatMap((r) =>
      r.loans.map((l) => loanValues(l, idByRef.get(r.ref)!, existingLoans.get(l.loanNumber.trim()), now)),
    );
    for (let i = 0; i < loanRows.length; i += CHUNK) {
      const result = await tx
        .insert(loans)
        .values(loanRows.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: loans.loanNumber,
          set: { ...excludedColumns(LOAN_COLUMNS), updatedAt: now, version: sql`${loans.version} + 1` },
        })
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      for (const r of result) counts.loans[r.inserted ? "created" : "updated"] += 1;
    }

    const ids = [...idByRef.values()];
    for (let i = 0; i < ids.length; i += CHUNK) await refreshCustomerArrears(tx, ids.slice(i, i + CHUNK));
    await recordAudit(tx, ctx, {
      action: "customer.imported",
      entityType: "customer",
      details: { ...counts, rows: refs.length, externalRefs: refs.slice(0, 200) },
    });
    return { dryRun: false, ...counts };
  });
}

const CUSTOMER_COLUMNS = [
  "full_name",
  "national_id",
  "date_of_birth",
  "phone",
  "alt_phone",
  "email",
  "address",
  "city",
  "employer",
  "monthly_income",
  "preferred_language",
  "timezone",
  "do_not_call",
  "notes",
];
const LOAN_COLUMNS = [
  "customer_id",
  "product_name",
  "principal",
  "interest_rate",
  "term_months",
  "installment_amount",
  "currency",
  "disbursed_at",
  "outstanding_balance",
  "amount_overdue",
  "next_due_date",
  "missed_installments",
  "payment_status",
  "collection_status",
];

/** `SET column = excluded.column` for each column, keyed as Drizzle names them. */
const excludedColumns = (columns: string[]) =>
  Object.fromEntries(
    columns.map((c) => [c.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()), sql.raw(`excluded.${c}`)]),
  );

/** A loan row from the file, over the stored one if any; defaults are derived only for new loans. */
function loanValues(
  l: Static<typeof ImportLoan>,
  customerId: string,
  before: typeof loans.$inferSelect | undefined,
  now: Date,
) {
  const outstanding = formatMoney(l.outstandingBalance ?? before?.outstandingBalance ?? l.principal);
  const overdue = formatMoney(l.amountOverdue ?? before?.amountOverdue ?? "0");
  const late = toCents(overdue) > 0n;
  return {
    customerId,
    loanNumber: l.loanNumber.trim(),
    productName: l.productName.trim(),
    principal: formatMoney(l.principal),
    interestRate: l.interestRate ?? before?.interestRate ?? "0",
    termMonths: l.termMonths,
    installmentAmount: formatMoney(l.installmentAmount),
    currency: l.currency ?? before?.currency ?? "DZD",
    disbursedAt: l.disbursedAt ?? before?.disbursedAt ?? null,
    outstandingBalance: outstanding,
    amountOverdue: overdue,
    nextDueDate: l.nextDueDate ?? before?.nextDueDate ?? null,
    missedInstallments:
      l.missedInstallments ??
      (l.amountOverdue !== undefined || !before
        ? missedInstallmentsFor(overdue, l.installmentAmount)
        : before.missedInstallments),
    paymentStatus:
      l.paymentStatus ??
      before?.paymentStatus ??
      (toCents(outstanding) === 0n ? "paid_off" : late ? "overdue" : "current"),
    collectionStatus: l.collectionStatus ?? before?.collectionStatus ?? (late ? "in_collection" : "none"),
    createdAt: now,
    updatedAt: now,
  } as const;
}
