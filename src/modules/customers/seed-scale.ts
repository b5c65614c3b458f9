import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows, toNumber } from "../../db/client.js";
import { users } from "../../db/schema/index.js";
import { DEFAULT_TIMEZONE, OPEN_LOAN_SQL, todayIn } from "../loans/arrears.js";
import {
  CITIES,
  EMPLOYERS,
  FEMALE_FIRST_NAMES,
  LAST_NAMES,
  LOAN_PRODUCTS,
  MALE_FIRST_NAMES,
  MOBILE_PREFIXES,
  PAYMENT_METHOD_WEIGHTS,
  STREETS,
  TERMS_MONTHS,
} from "./seed-data.js";

export interface PortfolioOptions {
  /** Target number of generated (GEN-) customers; existing ones count towards it. */
  customers: number;
  batchSize?: number;
  /** Called before the first batch and after each committed one, with GEN customers present / target. */
  onProgress?: (done: number, total: number) => void;
  now: Date;
}

export interface PortfolioResult {
  existing: number;
  created: number;
  loans: number;
  payments: number;
  interactions: number;
}

export const DEFAULT_BATCH_SIZE = 20_000;
/** Phones and national ids embed the sequence number in 7 digits. */
export const MAX_PORTFOLIO_CUSTOMERS = 9_999_999;
/** Two generators on one database take turns per batch instead of numbering the same customers. */
const PORTFOLIO_LOCK_KEY = 4_812_102;

/**
 * A deterministic pseudo-random integer in [0, mod) from a sequence number and a salt: the same
 * customer number always gets the same name and loans, whatever the batch size or engine
 * (hashint8 is identical in PostgreSQL and PGlite). Salts below 64 keep the inputs distinct.
 */
const h = (expr: string, salt: number, mod: number | string) =>
  `((hashint8((${expr}) * 64 + ${salt}) & 2147483647) % ${mod})`;
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A constant array to index with `[1 + h(...)]`; the values are ours, never user input. */
const arr = (values: readonly (string | number)[]) =>
  `(array[${values.map((v) => (typeof v === "number" ? String(v) : quote(v))).join(",")}])`;
const pick = (values: readonly (string | number)[], expr: string, salt: number) =>
  `${arr(values)}[1 + ${h(expr, salt, values.length)}]`;
const METHODS = PAYMENT_METHOD_WEIGHTS.flatMap(([m, w]) => Array<string>(Math.ceil(w / 5)).fill(m));
const CALL_OUTCOMES = [
  "no_answer",
  "no_answer",
  "busy",
  "voicemail",
  "promise_to_pay",
  "callback_requested",
  "refused_to_pay",
  "wrong_number",
  "dispute",
  "paid",
];

function customersInsert(start: number, end: number, now: string): SQL {
  const email = `case when ${h("n", 6, 100)} < 55 then translate(lower(first_name || '.' || last_name), 'àâäéèêëïîôöùûüç ', 'aaaeeeeiioouuuc') || n || '@' || ${pick(["gmail.com", "yahoo.fr", "hotmail.com", "outlook.fr"], "n", 7)} end`;
  const altPhone = `case when ${h("n", 8, 100)} < 15 then '+21369' || lpad(n::text, 7, '0')
    when ${h("n", 8, 100)} < 30 then '+213' || ${arr(CITIES.map((c) => c.area))}[ci] || lpad(${h("n", 9, 1_000_000)}::text, 6, '0') end`;
  const language = `case when ${h("n", 10, 10)} < 7 then ${arr(CITIES.map((c) => c.languages[0]!))}[ci] else ${arr(CITIES.map((c) => c.languages[1] ?? "fr"))}[ci] end`;
  return sql`
    with ins as (
      insert into customers (external_ref, full_name, national_id, date_of_birth, phone, alt_phone, email, address, city,
        employer, monthly_income, preferred_language, do_not_call, created_at, updated_at)
      select 'GEN-' || n, first_name || ' ' || last_name,
        (1 + female)::text || lpad(${sql.raw(h("n", 11, 100_000))}::text, 5, '0') || lpad(n::text, 12, '0'),
        date '1956-01-01' + ${sql.raw(h("n", 12, 16_000))},
        '+213' || ${sql.raw(arr(MOBILE_PREFIXES))}[1 + n % 3] || lpad(n::text, 7, '0'),
        ${sql.raw(altPhone)}, ${sql.raw(email)},
        (1 + ${sql.raw(h("n", 13, 150))}) || ' ' || ${sql.raw(pick(STREETS, "n", 14))},
        ${sql.raw(arr(CITIES.map((c) => c.name)))}[ci],
        case when ${sql.raw(h("n", 15, 10))} > 0 then ${sql.raw(pick(EMPLOYERS, "n", 16))} end,
        ((30 + ${sql.raw(h("n", 17, 250))}) * 1000)::numeric(14, 2),
        ${sql.raw(language)},
        ${sql.raw(h("n", 18, 100))} < 2,
        ${now}::timestamptz - ${sql.raw(h("n", 19, 1095))} * interval '1 day' - ${sql.raw(h("n", 20, 86_400))} * interval '1 second',
        ${now}::timestamptz
      from (
        select n, female, 1 + ${sql.raw(h("n", 21, CITIES.length))} as ci,
          case when female = 1 then ${sql.raw(pick(FEMALE_FIRST_NAMES, "n", 22))} else ${sql.raw(pick(MALE_FIRST_NAMES, "n", 23))} end as first_name,
          ${sql.raw(pick(LAST_NAMES, "n", 24))} as last_name
        from (select n, ${sql.raw(h("n", 25, 2))} as female from generate_series(${start}::bigint, ${end}::bigint) as n) s
      ) g
      returning id, external_ref
    )
    insert into gen_batch (id, n) select id, substr(external_ref, 5)::bigint from ins`;
}

/**
 * Loans, their payments and contact history in one statement: every attribute is a function of
 * (customer number, loan index), and payments and interactions are built from the inserted rows
 * without reading the table back.
 */
function loansInsert(today: string, now: string, agents: string): SQL {
  // Kinds: 0 current, 1 = 1-30, 2 = 31-60, 3 = 61-90, 4 = 90+, 5 paid off, 6 written off.
  const kind = `case when r < 45 then 0 when r < 60 then 1 when r < 68 then 2 when r < 74 then 3 when r < 82 then 4 when r < 94 then 5 else 6 end`;
  const dpd = `case kind when 0 then -(1 + ${h("s", 31, 28)}) when 1 then 1 + ${h("s", 31, 30)} when 2 then 31 + ${h("s", 31, 30)}
    when 3 then 61 + ${h("s", 31, 30)} when 4 then 91 + ${h("s", 31, 400)} when 6 then 400 + ${h("s", 31, 500)} end`;
  const collection = `case when kind = 0 then 'none' when kind = 5 then case when ${h("s", 35, 100)} < 15 then 'settled' else 'closed' end
    when kind = 6 then 'closed'
    when kind = 4 then ${arr(["legal", "legal", "legal", "in_collection", "in_collection", "in_collection", "payment_plan", "payment_plan", "promise_to_pay", "dispute"])}[1 + ${h("s", 36, 10)}]
    else ${arr(["in_collection", "in_collection", "in_collection", "in_collection", "in_collection", "promise_to_pay", "promise_to_pay", "payment_plan", "payment_plan", "dispute"])}[1 + ${h("s", 36, 10)}] end`;
  const channel = `case when cr < 60 then 'call' when cr < 80 then 'sms' when cr < 88 then 'note' when cr < 94 then 'visit' else 'email' end`;
  return sql.raw(`
    with b as (
      select g.id as customer_id, g.n, k, g.n * 4 + k as s
      from gen_batch g
      cross join lateral generate_series(1, case when ${h("g.n", 26, 10)} < 6 then 1 when ${h("g.n", 26, 10)} < 9 then 2 else 3 end) as k
    ),
    p1 as (
      select b.*, ${kind} as kind, ${arr(TERMS_MONTHS)}[1 + ${h("s", 28, TERMS_MONTHS.length)}] as term,
        ((50 + ${h("s", 29, 1951)}) * 1000)::numeric(14, 2) as principal, (500 + ${h("s", 30, 901)}) / 10000.0 as rate
      from (select b.*, ${h("s", 27, 100)} as r from b) b
    ),
    p2 as (
      select p1.*, round(principal * (1 + rate * term / 12.0) / term, 2) as installment,
        case when kind = 5 then null else ${quote(today)}::date - (${dpd}) end as next_due
      from p1
    ),
    p3 as (
      select p2.*, case when kind in (0, 5) then 0
        else least(term, (extract(year from age(${quote(today)}::date, next_due)) * 12 + extract(month from age(${quote(today)}::date, next_due)))::int + 1) end as missed
      from p2
    ),
    plan as (
      select p3.*, case when kind = 5 then term when kind = 0 then ${h("s", 32, "term")} else ${h("s", 32, "(term - missed + 1)")} end as paid
      from p3
    ),
    l as (
      insert into loans (customer_id, loan_number, product_name, principal, interest_rate, term_months, installment_amount,
        disbursed_at, outstanding_balance, amount_overdue, next_due_date, missed_installments, payment_status, collection_status,
        created_at, updated_at)
      select customer_id, 'GEN-L-' || n || '-' || k, ${pick(LOAN_PRODUCTS, "s", 33)}, principal, rate, term, installment,
        disbursed, case when kind = 5 then 0 else (term - paid) * installment end, missed * installment, next_due, missed,
        case kind when 0 then 'current' when 5 then 'paid_off' when 6 then 'written_off'
          when 4 then case when ${quote(today)}::date - next_due > 180 then 'defaulted' else 'overdue' end else 'overdue' end,
        ${collection}, disbursed + interval '10 hours', ${quote(now)}::timestamptz
      from (select plan.*, case when kind = 5 then ${quote(today)}::date - (10 + ${h("s", 34, 600)}) - term * interval '1 month'
        else next_due - (paid + 1) * interval '1 month' end as disbursed from plan) x
      returning id, customer_id, loan_number, installment_amount, amount_overdue, outstanding_balance, term_months,
        disbursed_at, next_due_date, payment_status, collection_status
    ),
    -- The loan number carries (n, k) and the amounts carry the instalments paid, so payments and
    -- interactions need no join back to the plan.
    lp as (
      select l.*, n, k, n * 4 + k as s,
        case payment_status when 'current' then 0 when 'paid_off' then 5 when 'written_off' then 6 else 1 end as kind,
        case when payment_status = 'paid_off' then term_months else term_months - (outstanding_balance / installment_amount)::int end as paid
      from l, lateral (select split_part(loan_number, '-', 3)::bigint as n, split_part(loan_number, '-', 4)::int as k) nk
    ),
    pay as (
      insert into payments (loan_id, amount, paid_at, method, reference, recorded_by)
      select id, installment_amount,
        least(disbursed_at + (paid - j + 1) * interval '1 month' + (${h("s * 4 + j", 40, 8)} - 3) * interval '1 day'
          + interval '9 hours' + ${h("s * 4 + j", 41, 25_200)} * interval '1 second', ${quote(now)}::timestamptz - interval '1 hour'),
        method, 'GEN-P-' || n || '-' || k || '-' || (paid - j + 1), case when method = 'cash' then ${agentPick("s * 4 + j", agents)} end
      from (select lp.*, j, ${pick(METHODS, "s * 4 + j", 42)} as method
        from lp cross join lateral generate_series(1, least(paid, 1 + ${h("s", 43, 3)})) as j
        where paid > 0 and (kind = 5 or ${h("s", 44, 100)} < 40)) x
      returning 1
    ),
    ia as (
      insert into customer_interactions (customer_id, loan_id, agent_id, channel, direction, call_id, started_at, duration_seconds, disposition, notes)
      select customer_id, id, ${agentPick("s * 4 + j", agents)}, channel,
        case when channel = 'call' and ${h("s * 4 + j", 45, 100)} < 15 then 'inbound' else 'outbound' end,
        case when channel = 'call' then 'GEN-C-' || n || '-' || k || '-' || j end,
        least(case when kind = 0 then next_due_date - 3 else next_due_date + j * 5 + ${h("s * 4 + j", 46, 5)} end
          + interval '9 hours' + ${h("s * 4 + j", 47, 28_800)} * interval '1 second', ${quote(now)}::timestamptz - interval '5 minutes'),
        case when channel <> 'call' then null when disposition in ('no_answer', 'busy') then ${h("s * 4 + j", 48, 25)} else 30 + ${h("s * 4 + j", 48, 570)} end,
        disposition,
        case channel when 'sms' then 'Rappel : échéance impayée de ' || installment_amount || ' DZD.'
          when 'note' then 'Client injoignable, relance prévue.' when 'visit' then 'Visite au domicile.'
          when 'email' then 'Relevé de compte envoyé.'
          else case when disposition = 'promise_to_pay' then 'Promesse de paiement de ' || amount_overdue || ' DZD.' end end
      from (
        select y.*, case when channel = 'call' then case when collection_status in ('promise_to_pay', 'dispute') and j = 1 then collection_status
            else ${pick(CALL_OUTCOMES, "s * 4 + j", 49)} end
          when channel = 'visit' then ${arr(["refused_to_pay", "promise_to_pay"])}[1 + ${h("s * 4 + j", 50, 2)}] end as disposition
        from (
          select lp.*, j, case when kind = 0 then 'sms' when kind = 6 then 'note' else ${channel} end as channel
          from (select lp.*, ${h("s", 51, 100)} as ir from lp) lp
          cross join lateral generate_series(1, case when kind = 1 and ir < 70 then 1 + ${h("s", 52, 3)}
            when kind = 0 and ir < 10 then 1 when kind = 6 and ir < 30 then 1 else 0 end) as j
          cross join lateral (select ${h("s * 4 + j", 53, 100)} as cr) c
        ) y
      ) z
      returning 1
    )
    select (select count(*) from l) as loans, (select count(*) from pay) as payments, (select count(*) from ia) as interactions`);
}

/** An agent id picked by hash from the demo agents, or null when there are none. */
function agentPick(expr: string, agents: string): string {
  return agents === "" ? "null::uuid" : `(${agents})[1 + ${h(expr, 54, agents.split(",").length)}]`;
}

/**
 * Adds generated customers (GEN-<n>) until `customers` of them exist, in batches of one
 * transaction each, so an interrupted run resumes after the last committed batch.
 */
export async function seedPortfolio(db: Db, opts: PortfolioOptions): Promise<PortfolioResult> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(opts.customers) || opts.customers < 0 || opts.customers > MAX_PORTFOLIO_CUSTOMERS)
    throw new RangeError(`customers must be an integer from 0 to ${MAX_PORTFOLIO_CUSTOMERS}`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError("batchSize must be a positive integer");
  const now = opts.now.toISOString();
  const today = todayIn(DEFAULT_TIMEZONE, opts.now);
  const agentRows = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`${users.role} = 'agent' and ${users.isActive}`)
    .orderBy(users.email)
    .limit(50);
  const agents = agentRows.length > 0 ? `array[${agentRows.map((a) => quote(a.id)).join(",")}]::uuid[]` : "";
  const result: PortfolioResult = { existing: -1, created: 0, loans: 0, payments: 0, interactions: 0 };

  for (;;) {
    const done = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${PORTFOLIO_LOCK_KEY})`);
      // Re-read inside the lock: another run may have added batches since the last one.
      const [row] = await queryRows<{ max: unknown }>(
        tx,
        sql`select coalesce(max(substr(external_ref, 5)::bigint), 0) as max from customers where external_ref ~ '^GEN-[0-9]+$'`,
      );
      const highest = toNumber(row?.max);
      if (result.existing < 0) {
        result.existing = highest;
        opts.onProgress?.(Math.min(highest, opts.customers), opts.customers);
      }
      if (highest >= opts.customers) return true;
      // The generated statements are long expression lists with high cost estimates, so the
      // planner JIT-compiles them: measured 6.9 s of compilation for an 80 ms insert of 3,000 loans.
      await tx.execute(sql`set local jit = off`);
      const end = Math.min(highest + batchSize, opts.customers);
      await tx.execute(sql`create temp table gen_batch (id uuid primary key, n bigint not null) on commit drop`);
      await tx.execute(customersInsert(highest + 1, end, now));
      // Without statistics the planner assumes a tiny temp table and picks nested loops.
      await tx.execute(sql`analyze gen_batch`);
      const [counts] = await queryRows<Record<"loans" | "payments" | "interactions", unknown>>(
        tx,
        loansInsert(today, now, agents),
      );
      // One set-based rewrite of the arrears summaries for the whole batch (refreshCustomerArrears' rule).
      await tx.execute(sql`
        update customers c set oldest_due_date = a.oldest, total_overdue = a.total
        from (
          select l.customer_id, min(l.next_due_date) as oldest, sum(l.amount_overdue) as total
          from loans l join gen_batch g on g.id = l.customer_id
          where ${OPEN_LOAN_SQL}
          group by l.customer_id
        ) a
        where c.id = a.customer_id`);
      result.created += end - highest;
      result.loans += toNumber(counts?.loans);
      result.payments += toNumber(counts?.payments);
      result.interactions += toNumber(counts?.interactions);
      return end;
    });
    if (done === true) break;
    opts.onProgress?.(done, opts.customers);
  }
  return result;
}
