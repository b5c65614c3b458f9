import { sql } from "drizzle-orm";
import { type AnyPgColumn, check, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { apiKeys } from "./calling.js";
import { customers } from "./crm.js";
import { timestamptz } from "./columns.js";

/** A group of agents under one supervisor; a user belongs to at most one (`users.team_id`). */
export const teams = pgTable(
  "teams",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    supervisorId: uuid("supervisor_id").references((): AnyPgColumn => users.id, { onDelete: "set null" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("teams_name_key").on(sql`lower(${t.name})`), index("teams_supervisor_idx").on(t.supervisorId)],
);

/**
 * Who owns a customer: at most one agent and/or one team, changed only through the assignment routes
 * (audited). A narrow table of its own rather than columns of `customers`: assigning 100,000 customers
 * rewrote 100,000 wide rows and maintained the customer table's 16 indexes (measured 11–15 s); here it
 * is one narrow upsert (measured 5.6 s with the audit rows). A row whose agent and team are both gone
 * (`set null`) means unowned, as does no row.
 */
export const customerAssignments = pgTable(
  "customer_assignments",
  {
    customerId: uuid("customer_id")
      .primaryKey()
      .references(() => customers.id, { onDelete: "cascade" }),
    assignedAgentId: uuid("assigned_agent_id").references(() => users.id, { onDelete: "set null" }),
    assignedTeamId: uuid("assigned_team_id").references(() => teams.id, { onDelete: "set null" }),
    assignedAt: timestamptz("assigned_at").notNull(),
    assignedBy: uuid("assigned_by"),
  },
  (t) => [
    index("customer_assignments_agent_idx")
      .on(t.assignedAgentId)
      .where(sql`${t.assignedAgentId} is not null`),
    index("customer_assignments_team_idx")
      .on(t.assignedTeamId)
      .where(sql`${t.assignedTeamId} is not null`),
  ],
);

export const CLAIM_RELEASE_REASONS = [
  "call_recorded",
  "skipped",
  "expired",
  "holder_disabled",
  "returned",
  "uncallable",
] as const;
export type ClaimReleaseReason = (typeof CLAIM_RELEASE_REASONS)[number];

/**
 * The lease that gives one customer to one caller (a user or an integration key). The partial unique
 * indexes are the final guarantee under concurrency: at most one live claim per customer, and at most
 * one per user. A lease past `expires_at` stays "live" in the index until it is released as `expired`,
 * which the claiming path does under the customer's row lock before claiming again.
 */
export const callClaims = pgTable(
  "call_claims",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "cascade" }),
    /** A dialer's batch, so the unused rest can be returned in one call. */
    batchId: uuid("batch_id"),
    /** The number offered (never one flagged as wrong). */
    phone: text("phone"),
    claimedAt: timestamptz("claimed_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    releasedAt: timestamptz("released_at"),
    releaseReason: text("release_reason").$type<ClaimReleaseReason>(),
    releaseNote: text("release_note"),
  },
  (t) => [
    uniqueIndex("call_claims_live_customer_key")
      .on(t.customerId)
      .where(sql`${t.releasedAt} is null`),
    uniqueIndex("call_claims_live_user_key")
      .on(t.userId)
      .where(sql`${t.releasedAt} is null and ${t.userId} is not null`),
    index("call_claims_live_key_idx")
      .on(t.apiKeyId, t.batchId)
      .where(sql`${t.releasedAt} is null and ${t.apiKeyId} is not null`),
    index("call_claims_user_released_idx")
      .on(t.userId, t.releasedAt)
      .where(sql`${t.releaseReason} = 'skipped'`),
    index("call_claims_live_expires_idx")
      .on(t.expiresAt)
      .where(sql`${t.releasedAt} is null`),
    check("call_claims_holder_check", sql`num_nonnulls(${t.userId}, ${t.apiKeyId}) = 1`),
    check(
      "call_claims_release_check",
      sql`(${t.releasedAt} is null) = (${t.releaseReason} is null) and (${t.releaseReason} is null or ${t.releaseReason} in (${sql.raw(CLAIM_RELEASE_REASONS.map((r) => `'${r}'`).join(", "))}))`,
    ),
  ],
);
