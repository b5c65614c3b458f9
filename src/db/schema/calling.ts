import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, numeric, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { customerInteractions, customers, loans } from "./crm.js";
import { timestamptz } from "./columns.js";

/**
 * Call outcomes (seeded, so a centre can add its own). `contacted`: someone answered;
 * `right_party_contact`: it was the borrower. Only the built-in codes have side effects.
 */
export const dispositions = pgTable("dispositions", {
  code: text("code").primaryKey(),
  label: text("label").notNull(),
  contacted: boolean("contacted").notNull().default(false),
  rightPartyContact: boolean("right_party_contact").notNull().default(false),
  isActive: boolean("is_active").notNull().default(true),
  sortOrder: integer("sort_order").notNull().default(100),
  createdAt: timestamptz("created_at").notNull().defaultNow(),
});

export const PROMISE_STATUSES = ["pending", "kept", "broken", "cancelled"] as const;
export type PromiseStatus = (typeof PROMISE_STATUSES)[number];

export const paymentPromises = pgTable(
  "payment_promises",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "cascade" }),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    interactionId: uuid("interaction_id").references(() => customerInteractions.id, { onDelete: "set null" }),
    amount: numeric("amount", { precision: 14, scale: 2 }).notNull(),
    dueDate: date("due_date").notNull(),
    status: text("status").$type<PromiseStatus>().notNull().default("pending"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    resolvedAt: timestamptz("resolved_at"),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("payment_promises_loan_status_idx").on(t.loanId, t.status),
    index("payment_promises_customer_status_idx").on(t.customerId, t.status, t.dueDate),
    index("payment_promises_pending_due_idx")
      .on(t.dueDate)
      .where(sql`${t.status} = 'pending'`),
    index("payment_promises_broken_resolved_idx")
      .on(t.resolvedAt)
      .where(sql`${t.status} = 'broken'`),
    check("payment_promises_status_check", sql`${t.status} in ('pending', 'kept', 'broken', 'cancelled')`),
    check("payment_promises_amount_check", sql`${t.amount} > 0`),
  ],
);

/** Numbers reported as wrong: never dialled again for that customer. */
export const phoneFlags = pgTable(
  "customer_phone_flags",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    phone: text("phone").notNull(),
    reason: text("reason").notNull().default("wrong_number"),
    interactionId: uuid("interaction_id"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("customer_phone_flags_customer_phone_key").on(t.customerId, t.phone)],
);

export const API_KEY_SCOPES = ["precall:read", "postcall:write", "worklist:read", "worklist:claim"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Keys for dialers and voice bots; only a SHA-256 of the key is stored. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    keyHash: text("key_hash").notNull(),
    keyPrefix: text("key_prefix").notNull(),
    scopes: text("scopes").array().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    lastUsedAt: timestamptz("last_used_at"),
    revokedAt: timestamptz("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_key_hash_key").on(t.keyHash)],
);
