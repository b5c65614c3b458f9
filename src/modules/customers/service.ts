import type { Static } from "typebox";
import type { customers } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import { formatMoney } from "../../lib/money.js";
import { decodeCursor, paginate } from "../../lib/pagination.js";
import { requirePhone } from "../../lib/phone.js";
import { diff, versionConflict } from "../../lib/versioning.js";
import type { RequestContext, Services } from "../../services.js";
import { lastChange } from "../audit/repository.js";
import { recordAudit } from "../audit/service.js";
import { bucketOf, daysBetween, DEFAULT_TIMEZONE, isValidTimezone, todayIn } from "../loans/arrears.js";
import { listLoans } from "../loans/repository.js";
import { summariseLoans, toLoanView } from "../loans/views.js";
import {
  type CustomerRow,
  countLoansOf,
  deleteCustomerRow,
  findCustomer,
  insertCustomer,
  listCustomers,
  cursorSpec,
  sortKey,
  updateCustomerAtVersion,
} from "./repository.js";
import type { CustomerCreateBody, CustomerListQuery, CustomerPatchBody } from "./schemas.js";

const CUSTOMER_FIELDS = [
  "externalRef",
  "fullName",
  "nationalId",
  "dateOfBirth",
  "phone",
  "altPhone",
  "email",
  "address",
  "city",
  "employer",
  "monthlyIncome",
  "preferredLanguage",
  "timezone",
  "doNotCall",
  "notes",
];

export function toCustomerView(c: CustomerRow, now: Date) {
  const days = c.oldestDueDate ? Math.max(0, daysBetween(c.oldestDueDate, todayIn(c.timezone, now))) : 0;
  return {
    id: c.id,
    externalRef: c.externalRef,
    fullName: c.fullName,
    nationalId: c.nationalId,
    dateOfBirth: c.dateOfBirth,
    phone: c.phone,
    altPhone: c.altPhone,
    email: c.email,
    address: c.address,
    city: c.city,
    employer: c.employer,
    monthlyIncome: c.monthlyIncome,
    preferredLanguage: c.preferredLanguage,
    timezone: c.timezone,
    doNotCall: c.doNotCall,
    notes: c.notes,
    totalOverdue: c.totalOverdue,
    daysPastDue: days,
    bucket: bucketOf(days),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    version: c.version,
  };
}

type Writable = Partial<Omit<Static<typeof CustomerCreateBody>, "phone">> & { phone?: string };

/**
 * Validates and normalises what a client sends: phones of any operator (landlines too) to E.164,
 * email to lower case, money to two decimals, a known timezone. `base` prefixes error paths (import).
 */
export function normaliseCustomerInput(input: Writable, base = "") {
  const out: Partial<typeof customers.$inferInsert> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || key === "version") continue;
    (out as Record<string, unknown>)[key] = typeof value === "string" ? value.trim() : value;
  }
  if (input.phone !== undefined) {
    out.phone = requirePhone(input.phone, `${base}/phone`).e164;
  }
  if (input.altPhone) {
    out.altPhone = requirePhone(input.altPhone, `${base}/altPhone`).e164;
  }
  if (input.email) out.email = input.email.trim().toLowerCase();
  if (input.monthlyIncome) out.monthlyIncome = formatMoney(input.monthlyIncome);
  if (input.timezone !== undefined && !isValidTimezone(input.timezone)) {
    throw new AppError("VALIDATION_ERROR", `Unknown timezone ${JSON.stringify(input.timezone)}`, {
      details: [{ path: `${base}/timezone`, message: "is not an IANA timezone name (e.g. Africa/Algiers)" }],
    });
  }
  return out;
}

export async function listCustomerViews(services: Services, query: Static<typeof CustomerListQuery>) {
  const now = services.clock.now();
  const after = query.cursor ? [...decodeCursor(query.cursor, cursorSpec(query.sort))] : undefined;
  const rows = await listCustomers(services.db, { ...query, after, limit: query.limit + 1, now });
  const page = paginate(rows, query.limit, (row) => sortKey(query.sort, row));
  return { data: page.data.map((c) => toCustomerView(c, now)), page: page.page };
}

export async function getCustomerDetail(services: Services, id: string) {
  const customer = await findCustomer(services.db, id);
  if (!customer) throw new AppError("NOT_FOUND", "Customer not found");
  const now = services.clock.now();
  const loanRows = await listLoans(services.db, { customerId: id, limit: 500 });
  const loanViews = loanRows.map((r) => toLoanView(r.loan, r.timezone, now));
  return { ...toCustomerView(customer, now), loans: loanViews, summary: summariseLoans(loanViews) };
}

export async function createCustomer(
  services: Services,
  input: Static<typeof CustomerCreateBody>,
  ctx: RequestContext,
) {
  const { db, clock } = services;
  const now = clock.now();
  const values = normaliseCustomerInput(input);
  return db.transaction(async (tx) => {
    const customer = await insertCustomer(tx, {
      ...values,
      fullName: input.fullName.trim(),
      phone: values.phone!,
      timezone: values.timezone ?? DEFAULT_TIMEZONE,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, ctx, {
      action: "customer.created",
      entityType: "customer",
      entityId: customer.id,
      details: { fields: Object.keys(values), externalRef: customer.externalRef },
    });
    return toCustomerView(customer, now);
  });
}

export async function patchCustomer(
  services: Services,
  id: string,
  version: number,
  input: Omit<Static<typeof CustomerPatchBody>, "version">,
  ctx: RequestContext,
) {
  const { db, clock } = services;
  const now = clock.now();
  const changes = normaliseCustomerInput(input);
  return db.transaction(async (tx) => {
    const before = await findCustomer(tx, id);
    if (!before) throw new AppError("NOT_FOUND", "Customer not found");
    const updated = await updateCustomerAtVersion(tx, { id, version }, changes, now, async () =>
      versionConflict(toCustomerView(before, now), await lastChange(tx, "customer", id)),
    );
    await recordAudit(tx, ctx, {
      action: "customer.updated",
      entityType: "customer",
      entityId: id,
      details: { changes: diff(before, updated, CUSTOMER_FIELDS) },
    });
    return toCustomerView(updated, now);
  });
}

/** Refused while loans exist: a borrower's history is not deleted by accident. */
export async function deleteCustomer(services: Services, id: string, ctx: RequestContext) {
  await services.db.transaction(async (tx) => {
    const customer = await findCustomer(tx, id);
    if (!customer) throw new AppError("NOT_FOUND", "Customer not found");
    const loanCount = await countLoansOf(tx, id);
    if (loanCount > 0) {
      throw new AppError("CONFLICT", `The customer still has ${loanCount} loan(s); they cannot be deleted`, {
        extra: { loanCount },
      });
    }
    await deleteCustomerRow(tx, id);
    await recordAudit(tx, ctx, {
      action: "customer.deleted",
      entityType: "customer",
      entityId: id,
      details: { externalRef: customer.externalRef, fullName: customer.fullName },
    });
  });
}
