/**
 * Query-plan evidence for the customer list and detail queries (docs/query-plans.md): creates a
 * throwaway PostgreSQL database, migrates it, generates a portfolio, runs ANALYZE, prints
 * EXPLAIN (ANALYZE, BUFFERS) for each query and drops the database again.
 *
 *   npx tsx scripts/explain-plans.ts                      # 100,000 customers on 127.0.0.1:5432
 *   EXPLAIN_ADMIN_URL=postgres://… CUSTOMERS=500000 npx tsx scripts/explain-plans.ts
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabase } from "../src/db/client.js";
import { runMigrations } from "../src/db/migrate.js";
import { seedPortfolio } from "../src/modules/customers/seed-scale.js";
import { todayIn } from "../src/modules/loans/arrears.js";

const ADMIN_URL = process.env.EXPLAIN_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CUSTOMERS = Number(process.env.CUSTOMERS ?? 100_000);
/**
 * A frequent surname, a first name that sorts last (its matches sit at the end of the name index),
 * a rare first-and-last name, and a fragment matching nobody: the planner treats them differently.
 */
const NAME_FRAGMENTS = { common: "bouz", "sorts-last": "zineb", rare: "thiziri ziani", none: "qxwz" };

interface Case {
  key: string;
  title: string;
  text: string;
  params: (string | number)[];
}

/** Index names, node types and time, read from the text plan for the summary table. */
function summarise(plan: string[]) {
  // Plan nodes are the first line and every line with an arrow; the rest are their details.
  const nodes = plan
    .filter((l, i) => i === 0 || /^\s*->/.test(l))
    .map((l) =>
      l
        .replace(/^\s*->\s*/, "")
        .replace(/\s+\(cost=.*$/, "")
        .replace(/ (on|using) .*$/, ""),
    );
  const indexes = [
    ...new Set(
      plan.flatMap((l) =>
        [...l.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)].map((m) => m[1]!),
      ),
    ),
  ];
  const seqScans = plan.filter((l) => /Seq Scan/.test(l)).map((l) => l.trim());
  const time = plan.find((l) => l.startsWith("Execution Time"))?.replace("Execution Time: ", "") ?? "?";
  return { indexes, seqScans, time, top: nodes.join(" → ") };
}

async function main() {
  const name = `crm_explain_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await createDatabase({
    engine: "postgres",
    connectionString: url.toString(),
    poolMax: 4,
    display: name,
  });
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await runMigrations(database);
    const started = performance.now();
    const now = new Date();
    const result = await seedPortfolio(database.db, {
      customers: CUSTOMERS,
      now,
      onProgress: (done, total) => process.stdout.write(`\rseeding ${done}/${total}`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `\nseeded ${result.created} customers, ${result.loans} loans, ${result.payments} payments, ${result.interactions} interactions in ${seconds} s`,
    );

    await client.connect();
    await client.query("analyze");
    const one = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows[0] as T;
    const version = await one<{ server_version: string }>("show server_version");
    const sizes = await client.query(
      `select relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) as size from pg_stat_user_tables
       where relname in ('customers', 'loans', 'payments', 'customer_interactions') order by relname`,
    );
    console.log(`PostgreSQL ${version.server_version}; database ${name}`);
    for (const r of sizes.rows as { relname: string; n_live_tup: string; size: string }[])
      console.log(`  ${r.relname.padEnd(22)} ${String(r.n_live_tup).padStart(9)} rows  ${r.size}`);

    const probe = await one<{
      id: string;
      phone: string;
      alt_phone: string;
      external_ref: string;
      national_id: string;
    }>(
      `select id, phone, alt_phone, external_ref, national_id from customers
       where alt_phone is not null and external_ref like 'GEN-%' order by external_ref desc limit 1 offset 1000`,
    );
    const withEmail = await one<{ email: string }>(
      `select lower(email) as email from customers where email is not null order by external_ref limit 1 offset 5000`,
    );
    const busiest = await one<{ customer_id: string }>(
      `select customer_id from customer_interactions group by 1 order by count(*) desc, 1 limit 1`,
    );
    const byName = "select * from customers order by full_name, id limit 26";
    const page1 = (await client.query(byName)).rows as { full_name: string; id: string }[];
    const last = page1[page1.length - 1]!;
    const thirtyDaysAgo = todayIn("Africa/Algiers", new Date(now.getTime() - 30 * 86_400_000));

    const cases: Case[] = [
      {
        key: "a",
        title: "customer by phone (phone or alt_phone)",
        text: "select * from customers where phone = $1 or alt_phone = $1",
        params: [probe.alt_phone],
      },
      ...Object.entries(NAME_FRAGMENTS).map(([kind, fragment]) => ({
        key: `b-${kind}`,
        title: `name search, ${kind} fragment '${fragment}'`,
        text: "select * from customers where lower(full_name) like '%' || lower($1) || '%' order by full_name, id limit 26",
        params: [fragment],
      })),
      { key: "c", title: "email", text: "select * from customers where lower(email) = $1", params: [withEmail.email] },
      {
        key: "d",
        title: "external_ref",
        text: "select * from customers where external_ref = $1",
        params: [probe.external_ref],
      },
      {
        key: "e",
        title: "national_id",
        text: "select * from customers where national_id = $1",
        params: [probe.national_id],
      },
      {
        key: "f",
        title: "city, sorted by name",
        text: "select * from customers where city = $1 order by full_name, id limit 26",
        params: ["Oran"],
      },
      {
        key: "g",
        title: "overdue, largest first",
        text: "select * from customers where total_overdue > 0 order by total_overdue desc, id desc limit 26",
        params: [],
      },
      {
        key: "h",
        title: "30+ days past due, oldest first",
        text: "select * from customers where oldest_due_date <= $1 order by oldest_due_date, id limit 26",
        params: [thirtyDaysAgo],
      },
      {
        key: "i",
        title: "collection status 'legal', newest first",
        text: "select * from customers where exists (select 1 from loans l where l.customer_id = customers.id and l.collection_status = $1) order by created_at desc, id desc limit 26",
        params: ["legal"],
      },
      {
        key: "j",
        title: "keyset page 2 of the name sort",
        text: "select * from customers where (full_name, id) > ($1, $2) order by full_name, id limit 26",
        params: [last.full_name, last.id],
      },
      {
        key: "k",
        title: "loans of a customer",
        text: "select * from loans where customer_id = $1",
        params: [probe.id],
      },
      {
        key: "l",
        title: "latest interactions of a customer",
        text: "select * from customer_interactions where customer_id = $1 order by started_at desc limit 10",
        params: [busiest.customer_id],
      },
    ];

    const rows: string[] = [];
    for (const c of cases) {
      // The first run warms the cache; the second is the one reported.
      await client.query(`explain (analyze, buffers) ${c.text}`, c.params);
      const plan = (
        (await client.query(`explain (analyze, buffers) ${c.text}`, c.params)).rows as { "QUERY PLAN": string }[]
      ).map((r) => r["QUERY PLAN"]);
      console.log(`\n### (${c.key}) ${c.title}\n${c.text}\nparams: ${JSON.stringify(c.params)}\n${plan.join("\n")}`);
      const s = summarise(plan);
      rows.push(
        `| ${c.key} | ${c.title} | ${s.indexes.join(", ") || "**none**"} | ${s.top} | ${s.time} |${s.seqScans.length ? ` ${s.seqScans.join("; ")}` : ""}`,
      );
    }
    console.log("\n| | query | index | plan | execution |\n|---|---|---|---|---|");
    for (const r of rows) console.log(r);
  } finally {
    await client.end().catch(() => {});
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    console.log(`dropped ${name}`);
  }
}

await main();
