import { and, eq, inArray, type SQL, sql, type SQLWrapper } from "drizzle-orm";
import { type DbOrTx, parseJsonColumn, queryRows } from "../../db/client.js";
import { fromJsonRow, jsonRow } from "../../db/json-row.js";
import {
  auditLogs,
  customerInteractions,
  customers,
  loans,
  paymentPromises,
  phoneFlags,
} from "../../db/schema/index.js";
import { type Holder, releaseClaimsStatement } from "../allocation/repository.js";
import { type AuditContext, auditValues } from "../audit/service.js";
import type { CustomerRow } from "../customers/repository.js";
import type { InteractionRow } from "../interactions/repository.js";
import type { LoanRow } from "../loans/repository.js";
import { cancelPendingPromises, insertPromise, type PromiseRow } from "../promises/repository.js";
import { type CustomerTarget, pickCustomer } from "./repository.js";

/** What a post-call is decided on, read in one round trip before anything is written. */
export interface PostCallFacts {
  /** The interaction already recorded under this callId (a replay), with its agent's name and promise. */
  existing: { interaction: InteractionRow; agentName: string | null; promise: PromiseRow | null } | null;
  customer: CustomerRow | null;
  /** The customer's loans, the soonest due first. */
  loans: LoanRow[];
  disposition: { code: string; isActive: boolean; contacted: boolean; rightPartyContact: boolean } | null;
}

type Json = Record<string, unknown>;

// The nested rows' select-lists, built once (the schema does not change while the process runs).
const json = {
  interaction: jsonRow(customerInteractions, "i"),
  promise: jsonRow(paymentPromises, "p"),
  customer: jsonRow(customers, "c"),
  loan: jsonRow(loans, "l"),
  inserted: jsonRow(customerInteractions, "ins"),
  newPromise: jsonRow(paymentPromises, "promise"),
};

export async function loadPostCallFacts(
  db: DbOrTx,
  callId: string,
  target: CustomerTarget | null,
  disposition: string,
): Promise<PostCallFacts> {
  const pick = target ? pickCustomer(target) : sql`select * from customers where false`;
  const [row] = await queryRows<Json>(
    db,
    sql`with c as (${pick})
        select
          (select json_build_object('interaction', ${json.interaction}, 'agentName', u.name,
                    'promise', (select ${json.promise} from payment_promises p where p.interaction_id = i.id limit 1))
             from customer_interactions i left join users u on u.id = i.agent_id where i.call_id = ${callId}) as existing,
          (select ${json.customer} from c) as customer,
          (select coalesce(json_agg(${json.loan} order by l.next_due_date, l.id), '[]'::json)
             from loans l where l.customer_id = (select id from c)) as loans,
          (select json_build_object('code', d.code, 'isActive', d.is_active, 'contacted', d.contacted,
                    'rightPartyContact', d.right_party_contact)
             from dispositions d where d.code = ${disposition}) as disposition`,
  );
  const existing = parseJsonColumn<{ interaction: Json; agentName: string | null; promise: Json | null } | null>(
    row?.existing ?? null,
  );
  const customer = parseJsonColumn<Json | null>(row?.customer ?? null);
  return {
    existing: existing && {
      interaction: fromJsonRow(customerInteractions, existing.interaction),
      agentName: existing.agentName,
      promise: existing.promise && fromJsonRow(paymentPromises, existing.promise),
    },
    customer: customer && fromJsonRow(customers, customer),
    loans: parseJsonColumn<Json[]>(row?.loans ?? []).map((l) => fromJsonRow(loans, l)),
    disposition: parseJsonColumn<PostCallFacts["disposition"]>(row?.disposition ?? null),
  };
}

/** Everything a post-call writes; each effect is present only when the outcome has it. */
export interface CallOutcomeWrite {
  interaction: typeof customerInteractions.$inferInsert;
  /** A new promise (its interaction is the one inserted), replacing the loan's pending ones. */
  promise?: Omit<typeof paymentPromises.$inferInsert, "interactionId">;
  loanStatus?: { loanIds: string[]; status: "promise_to_pay" | "dispute" };
  /** The customer to set do-not-call on. */
  doNotCall?: string;
  flagPhone?: { customerId: string; phone: string };
  /** The caller whose claim on the customer the call ends. */
  releaseFor?: Holder;
  audit: AuditContext;
}

/**
 * Writes a call and all its effects as one statement (data-modifying CTEs): PostgreSQL runs it
 * atomically, so it is the transaction, in one round trip instead of one per effect plus BEGIN and
 * COMMIT. The CTEs share one snapshot: the cancelled promises are the loan's earlier ones, never the
 * new one, and foreign keys to the new interaction are checked at the end of the statement.
 */
export async function writeCallOutcome(
  db: DbOrTx,
  w: CallOutcomeWrite,
  now: Date,
): Promise<{ interaction: InteractionRow; promise: PromiseRow | null }> {
  const interactionId = sql`(select id from ins)`;
  const customerId = w.interaction.customerId;
  // A statement as a CTE; drizzle would wrap a query builder in a second pair of parentheses.
  const cte = (name: string, statement: SQLWrapper) => sql`${sql.identifier(name)} as (${statement.getSQL()})`;
  const ctes: SQL[] = [cte("ins", db.insert(customerInteractions).values(w.interaction).returning())];
  if (w.promise) {
    ctes.push(cte("cancelled", cancelPendingPromises(db, w.promise.loanId, now)));
    ctes.push(cte("promise", insertPromise(db, { ...w.promise, interactionId })));
  }
  if (w.loanStatus && w.loanStatus.loanIds.length > 0) {
    const { loanIds, status } = w.loanStatus;
    const set = { collectionStatus: status, updatedAt: now, version: sql`${loans.version} + 1` };
    ctes.push(cte("touched", db.update(loans).set(set).where(inArray(loans.id, loanIds))));
  }
  if (w.doNotCall) {
    const set = { doNotCall: true, updatedAt: now, version: sql`${customers.version} + 1` };
    const where = and(eq(customers.id, w.doNotCall), eq(customers.doNotCall, false));
    ctes.push(cte("dnc", db.update(customers).set(set).where(where)));
  }
  if (w.flagPhone) {
    const flag = { ...w.flagPhone, interactionId, createdAt: now };
    ctes.push(cte("flag", db.insert(phoneFlags).values(flag).onConflictDoNothing()));
  }
  if (w.releaseFor) {
    ctes.push(cte("released", releaseClaimsStatement(w.releaseFor, "call_recorded", now, { customerId })));
  }
  const details = sql`jsonb_build_object('callId', ${w.interaction.callId}::text,
    'disposition', ${w.interaction.disposition}::text, 'interactionId', ${interactionId},
    'loanId', ${w.interaction.loanId ?? null}::uuid, 'promiseId', ${w.promise ? sql`(select id from promise)` : sql`null::uuid`})`;
  const entry = { action: "call.outcome_recorded", entityType: "customer", entityId: customerId };
  ctes.push(cte("audit", db.insert(auditLogs).values({ ...auditValues(w.audit, entry), details })));

  const promise = w.promise ? sql`(select ${json.newPromise} from promise)` : sql`null::json`;
  const [row] = await queryRows<Json>(
    db,
    sql`with ${sql.join(ctes, sql`, `)} select ${json.inserted} as interaction, ${promise} as promise from ins`,
  );
  const promiseJson = parseJsonColumn<Json | null>(row!.promise);
  return {
    interaction: fromJsonRow(customerInteractions, parseJsonColumn<Json>(row!.interaction)),
    promise: promiseJson && fromJsonRow(paymentPromises, promiseJson),
  };
}
