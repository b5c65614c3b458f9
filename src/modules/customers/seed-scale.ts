import { type SQL, sql } from "drizzle-orm";
import { type Db, type DbOrTx, queryRows, toNumber } from "../../db/client.js";
import { users } from "../../db/schema/index.js";
import { DEFAULT_TIMEZONE, OPEN_LOAN_CONDITION, todayIn } from "../loans/arrears.js";
import { DEFAULT_PROMISE_GRACE_DAYS } from "../../config.js";
import {
  CITIES,
  EMPLOYERS,
  FEMALE_FIRST_NAMES,
  LAST_NAMES,
  LOAN_PRODUCTS,
  MALE_FIRST_NAMES,
  STREETS,
  TERMS_MONTHS,
} from "./seed-data.js";
import { type HistoryOptions, historyCtes } from "./seed-scale-history.js";
import { arr, h, phoneOf, pick, quote } from "./seed-scale-sql.js";
import { LOCK_KEYS } from "../../db/lock-keys.js";
import { dropSecondaryIndexes, rebuildIndexes } from "./seed-scale-indexes.js";

export interface PortfolioOptions {
  /** Target number of generated (GEN-) customers; existing ones count towards it. */
  customers: number;
  batchSize?: number;
  /** Called before the first batch and after each committed one, with GEN customers present / target. */
  onProgress?: (done: number, total: number) => void;
  now: Date;
  /** PROMISE_GRACE_DAYS, which dates the broken promises; the configuration's default when absent. */
  graceDays?: number;
  /** A first load of at least this many customers rebuilds the indexes once instead (see seedPortfolio). */
  bulkFrom?: number;
  /** Told when a long step without progress starts (the index build of a first load). */
  onStage?: (stage: string) => void;
}

export interface PortfolioResult {
  existing: number;
  created: number;
  loans: number;
  payments: number;
  interactions: number;
  promises: number;
}

export const DEFAULT_BATCH_SIZE = 20_000;
export const DEFAULT_BULK_FROM = 100_000;
const BULK_BATCH_SIZE = 50_000;
/** Phones and national ids embed the sequence number in 7 digits. */
export const MAX_PORTFOLIO_CUSTOMERS = 9_999_999;
/** Two generators on one database take turns per batch instead of numbering the same customers. */
const PORTFOLIO_LOCK_KEY = LOCK_KEYS.portfolio;

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
        ${sql.raw(phoneOf("n"))},
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
 * (customer number, loan index), and payments, interactions, promises and phone flags are built
 * from the inserted rows without reading the tables back.
 */
function loansInsert(history: HistoryOptions): SQL {
  const { today, now } = history;
  // Kinds: 0 current, 1 = 1-30, 2 = 31-60, 3 = 61-90, 4 = 90+, 5 paid off, 6 written off.
  const kind = `case when r < 45 then 0 when r < 60 then 1 when r < 68 then 2 when r < 74 then 3 when r < 82 then 4 when r < 94 then 5 else 6 end`;
  const dpd = `case kind when 0 then -(1 + ${h("s", 31, 28)}) when 1 then 1 + ${h("s", 31, 30)} when 2 then 31 + ${h("s", 31, 30)}
    when 3 then 61 + ${h("s", 31, 30)} when 4 then 91 + ${h("s", 31, 400)} when 6 then 400 + ${h("s", 31, 500)} end`;
  const collection = `case when kind = 0 then 'none' when kind = 5 then case when ${h("s", 35, 100)} < 15 then 'settled' else 'closed' end
    when kind = 6 then 'closed'
    when kind = 4 then ${arr(["legal", "legal", "legal", "in_collection", "in_collection", "in_collection", "payment_plan", "payment_plan", "promise_to_pay", "dispute"])}[1 + ${h("s", 36, 10)}]
    else ${arr(["in_collection", "in_collection", "in_collection", "in_collection", "in_collection", "promise_to_pay", "promise_to_pay", "payment_plan", "payment_plan", "dispute"])}[1 + ${h("s", 36, 10)}] end`;
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
    ${historyCtes(history)},
    -- The arrears summaries (refreshCustomerArrears' rule) from the loans just inserted, in the same
    -- statement: no second read of a loans table that grows with every batch.
    arrears as (
      update customers c set oldest_due_date = a.oldest, total_overdue = a.total
      from (select l.customer_id, min(l.next_due_date) as oldest, sum(l.amount_overdue) as total
            from l where ${OPEN_LOAN_CONDITION} group by l.customer_id) a
      where c.id = a.customer_id
      returning 1
    )
    select (select count(*) from l) as loans, (select count(*) from pay) as payments, (select count(*) from ia) as interactions,
      (select count(*) from pr) as promises`);
}

interface BatchContext {
  now: string;
  today: string;
  agents: string;
  graceDays: number;
}

/** One batch GEN-<start>…GEN-<end>: customers, then their loans, history and arrears summaries. */
async function generateBatch(tx: DbOrTx, start: number, end: number, ctx: BatchContext, result: PortfolioResult) {
  await tx.execute(sql`create temp table gen_batch (id uuid primary key, n bigint not null)`);
  await tx.execute(customersInsert(start, end, ctx.now));
  // Without statistics the planner assumes a tiny temp table and picks nested loops.
  await tx.execute(sql`analyze gen_batch`);
  const [counts] = await queryRows<Record<"loans" | "payments" | "interactions" | "promises", unknown>>(
    tx,
    loansInsert({ today: ctx.today, now: ctx.now, agents: ctx.agents, graceDays: ctx.graceDays }),
  );
  await tx.execute(sql`drop table gen_batch`);
  result.created += end - start + 1;
  result.loans += toNumber(counts?.loans);
  result.payments += toNumber(counts?.payments);
  result.interactions += toNumber(counts?.interactions);
  result.promises += toNumber(counts?.promises);
}

/** The highest GEN-<n> present: a scan of every external reference (only once per run, see below). */
async function highestGenerated(tx: DbOrTx): Promise<number> {
  const [row] = await queryRows<{ max: unknown }>(
    tx,
    sql`select coalesce(max(substr(external_ref, 5)::bigint), 0) as max from customers where external_ref ~ '^GEN-[0-9]+$'`,
  );
  return toNumber(row?.max);
}

/**
 * Whether the numbering still stops at `known` (this run's last batch): batches are contiguous from
 * the highest number, so another run has added some exactly when GEN-<known + 1> exists (one probe of
 * the unique index instead of a scan of the whole table per batch, which grew with the portfolio).
 */
async function stillHighest(tx: DbOrTx, known: number): Promise<boolean> {
  const rows = await queryRows(tx, sql`select 1 from customers where external_ref = ${`GEN-${known + 1}`}`);
  return rows.length === 0;
}

/**
 * Adds generated customers (GEN-<n>) until `customers` of them exist, in batches of one
 * transaction each, so an interrupted run resumes after the last committed batch.
 *
 * A first load (no generated customer yet) of at least `bulkFrom` customers instead runs as one
 * transaction that drops the secondary indexes of the tables it fills, loads, and builds them again:
 * PostgreSQL builds an index from sorted input far faster than it maintains 16 of them row by row into
 * indexes larger than its buffers (measured at 1,000,000 customers in docs/benchmarks.md). Being one
 * transaction, an interrupted first load leaves nothing behind, indexes included; the tables it fills
 * are locked until it commits.
 */
export async function seedPortfolio(db: Db, opts: PortfolioOptions): Promise<PortfolioResult> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(opts.customers) || opts.customers < 0 || opts.customers > MAX_PORTFOLIO_CUSTOMERS)
    throw new RangeError(`customers must be an integer from 0 to ${MAX_PORTFOLIO_CUSTOMERS}`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError("batchSize must be a positive integer");
  const graceDays = opts.graceDays ?? DEFAULT_PROMISE_GRACE_DAYS;
  if (!Number.isSafeInteger(graceDays) || graceDays < 0)
    throw new RangeError("graceDays must be a non-negative integer");
  const bulkFrom = opts.bulkFrom ?? DEFAULT_BULK_FROM;
  const agentRows = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`${users.role} = 'agent' and ${users.isActive}`)
    .orderBy(users.email)
    .limit(50);
  const ctx: BatchContext = {
    now: opts.now.toISOString(),
    today: todayIn(DEFAULT_TIMEZONE, opts.now),
    agents: agentRows.length > 0 ? `array[${agentRows.map((a) => quote(a.id)).join(",")}]::uuid[]` : "",
    graceDays,
  };
  const result: PortfolioResult = {
    existing: -1,
    created: 0,
    loans: 0,
    payments: 0,
    interactions: 0,
    promises: 0,
  };
  // The generated statements are long expression lists with high cost estimates, so the planner
  // JIT-compiles them: measured 6.9 s of compilation for an 80 ms insert of 3,000 loans.
  const prepare = (tx: DbOrTx) => tx.execute(sql`set local jit = off`);

  let known: number | undefined;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${PORTFOLIO_LOCK_KEY})`);
      // Re-read inside the lock: another run may have added batches since the last one.
      const highest = known !== undefined && (await stillHighest(tx, known)) ? known : await highestGenerated(tx);
      if (result.existing < 0) {
        result.existing = highest;
        opts.onProgress?.(Math.min(highest, opts.customers), opts.customers);
      }
      if (highest >= opts.customers) return true;
      await prepare(tx);
      if (highest === 0 && opts.customers >= bulkFrom) {
        await tx.execute(sql`set local maintenance_work_mem = '512MB'`);
        const dropped = await dropSecondaryIndexes(tx);
        // Larger batches here: no resumable commits to keep small, fewer statements to plan.
        const bulkBatch = opts.batchSize ?? BULK_BATCH_SIZE;
        for (let start = 1; start <= opts.customers; start += bulkBatch) {
          const end = Math.min(start + bulkBatch - 1, opts.customers);
          await generateBatch(tx, start, end, ctx, result);
          if (end < opts.customers) opts.onProgress?.(end, opts.customers);
        }
        opts.onStage?.("building indexes");
        await rebuildIndexes(tx, dropped);
        return opts.customers;
      }
      const end = Math.min(highest + batchSize, opts.customers);
      await generateBatch(tx, highest + 1, end, ctx, result);
      return end;
    });
    if (done === true) break;
    known = done;
    opts.onProgress?.(done, opts.customers);
  }
  return result;
}
