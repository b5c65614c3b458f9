import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { money, timestamptz } from "./columns.js";

export const PAYMENT_STATUSES = ["current", "overdue", "paid_off", "defaulted", "written_off"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const COLLECTION_STATUSES = [
  "none",
  "in_collection",
  "promise_to_pay",
  "payment_plan",
  "dispute",
  "legal",
  "settled",
  "closed",
] as const;
export type CollectionStatus = (typeof COLLECTION_STATUSES)[number];
export const PAYMENT_METHODS = ["cash", "bank_transfer", "card", "ccp", "cheque", "other"] as const;
export const INTERACTION_CHANNELS = ["call", "sms", "email", "visit", "note"] as const;
export const INTERACTION_DIRECTIONS = ["inbound", "outbound"] as const;

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * A borrower (seed 003 `customer`). `oldest_due_date` and `total_overdue` summarise the open loans and
 * are rewritten in the same transaction as every loan or payment change, so list filters and sorts
 * by arrears use an index instead of aggregating loans for a million customers.
 */
export const customers = pgTable(
  "customers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    externalRef: text("external_ref"),
    fullName: text("full_name").notNull(),
    nationalId: text("national_id"),
    dateOfBirth: date("date_of_birth"),
    phone: text("phone").notNull(),
    altPhone: text("alt_phone"),
    email: text("email"),
    address: text("address"),
    city: text("city"),
    employer: text("employer"),
    monthlyIncome: money("monthly_income"),
    preferredLanguage: text("preferred_language"),
    timezone: text("timezone").notNull().default("Africa/Algiers"),
    doNotCall: boolean("do_not_call").notNull().default(false),
    notes: text("notes"),
    oldestDueDate: date("oldest_due_date"),
    totalOverdue: money("total_overdue").notNull().default("0"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("customers_external_ref_key").on(t.externalRef),
    index("customers_phone_idx").on(t.phone),
    index("customers_alt_phone_idx").on(t.altPhone),
    index("customers_email_idx").on(sql`lower(${t.email})`),
    index("customers_national_id_idx").on(t.nationalId),
    index("customers_full_name_trgm_idx").using("gin", sql`lower(${t.fullName}) gin_trgm_ops`),
    index("customers_name_sort_idx").on(t.fullName, t.id),
    index("customers_created_sort_idx").on(t.createdAt, t.id),
    index("customers_city_idx").on(t.city),
    index("customers_oldest_due_idx").on(t.oldestDueDate, t.id),
    index("customers_total_overdue_idx").on(t.totalOverdue, t.id),
    // Covers the worklist's ranking scan (index-only): the customers who owe and may be called.
    index("customers_worklist_idx")
      .on(t.oldestDueDate, t.totalOverdue, t.id)
      .where(sql`${t.totalOverdue} > 0 and not ${t.doNotCall}`),
  ],
);

export const loans = pgTable(
  "loans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "restrict" }),
    loanNumber: text("loan_number").notNull(),
    productName: text("product_name").notNull(),
    principal: money("principal").notNull(),
    interestRate: numeric("interest_rate", { precision: 7, scale: 4 }).notNull().default("0"),
    termMonths: integer("term_months").notNull(),
    installmentAmount: money("installment_amount").notNull(),
    currency: text("currency").notNull().default("DZD"),
    disbursedAt: date("disbursed_at"),
    outstandingBalance: money("outstanding_balance").notNull(),
    amountOverdue: money("amount_overdue").notNull().default("0"),
    nextDueDate: date("next_due_date"),
    missedInstallments: integer("missed_installments").notNull().default(0),
    paymentStatus: text("payment_status").$type<PaymentStatus>().notNull().default("current"),
    collectionStatus: text("collection_status").$type<CollectionStatus>().notNull().default("none"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("loans_loan_number_key").on(t.loanNumber),
    index("loans_customer_idx").on(t.customerId),
    index("loans_collection_status_customer_idx").on(t.collectionStatus, t.customerId),
    index("loans_next_due_date_idx").on(t.nextDueDate),
    check("loans_payment_status_check", sql`${t.paymentStatus} in (${inList(PAYMENT_STATUSES)})`),
    check("loans_collection_status_check", sql`${t.collectionStatus} in (${inList(COLLECTION_STATUSES)})`),
    check("loans_amounts_check", sql`${t.outstandingBalance} >= 0 and ${t.amountOverdue} >= 0 and ${t.principal} >= 0`),
  ],
);

export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "cascade" }),
    amount: money("amount").notNull(),
    paidAt: timestamptz("paid_at").notNull(),
    method: text("method").notNull(),
    reference: text("reference").notNull(),
    recordedBy: uuid("recorded_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    // The reference is the idempotency key of a payment: a retried request finds the first one.
    uniqueIndex("payments_loan_reference_key").on(t.loanId, t.reference),
    index("payments_loan_paid_idx").on(t.loanId, t.paidAt),
    check("payments_amount_check", sql`${t.amount} > 0`),
    check("payments_method_check", sql`${t.method} in (${inList(PAYMENT_METHODS)})`),
  ],
);

export const customerInteractions = pgTable(
  "customer_interactions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    loanId: uuid("loan_id").references(() => loans.id, { onDelete: "set null" }),
    agentId: uuid("agent_id").references(() => users.id, { onDelete: "set null" }),
    channel: text("channel").notNull(),
    direction: text("direction").notNull(),
    callId: text("call_id"),
    startedAt: timestamptz("started_at").notNull(),
    durationSeconds: integer("duration_seconds"),
    disposition: text("disposition"),
    notes: text("notes"),
    /** When the customer asked to be called back (disposition callback_requested). */
    callbackAt: timestamptz("callback_at"),
    /** The dialer's or bot's steps to the disposition, kept as sent. */
    dispositionTrace: jsonb("disposition_trace").$type<unknown[]>(),
    /** Which integration key wrote it, when not a signed-in agent. */
    apiKeyId: uuid("api_key_id"),
    /** SHA-256 of the post-call request: a repeated callId must carry the same body. */
    requestHash: text("request_hash"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    /** A supervisor's correction (PATCH) bumps it: optimistic locking, as for customers and loans. */
    version: integer("version").notNull().default(1),
    updatedAt: timestamptz("updated_at"),
  },
  (t) => [
    uniqueIndex("customer_interactions_call_id_key").on(t.callId),
    index("customer_interactions_callback_idx")
      .on(t.callbackAt)
      .where(sql`${t.callbackAt} is not null`),
    index("customer_interactions_customer_started_idx").on(t.customerId, t.startedAt),
    index("customer_interactions_loan_idx").on(t.loanId),
    index("customer_interactions_agent_started_idx").on(t.agentId, t.startedAt),
    index("customer_interactions_disposition_started_idx").on(t.disposition, t.startedAt),
    index("customer_interactions_started_idx").on(t.startedAt),
    check("customer_interactions_channel_check", sql`${t.channel} in (${inList(INTERACTION_CHANNELS)})`),
    check("customer_interactions_direction_check", sql`${t.direction} in (${inList(INTERACTION_DIRECTIONS)})`),
    check("customer_interactions_duration_check", sql`${t.durationSeconds} is null or ${t.durationSeconds} >= 0`),
  ],
);
