/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements the hot routes really send (docs/query-plans.md,
 * issue 15): the app is built in this process on an existing, seeded database; each route is
 * called once through `app.inject` while every statement and its parameters are recorded
 * (createDatabase's onQuery), then each distinct statement is explained twice inside a rolled-back
 * transaction (writes included) and the second, warm run is printed.
 *
 *   npx tsx scripts/hot-plans.ts <database>          # on postgres://postgres@127.0.0.1:5432 (or PLANS_PG_URL)
 *
 * Parameters are bound, so these are custom plans, as PostgreSQL makes for the first five
 * executions of a named statement (and later whenever the generic plan is not cheaper).
 */
import pg from "pg";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createDatabase } from "../src/db/client.js";

const BASE = process.env.PLANS_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const dbName = process.argv[2];
if (!dbName || !/^[a-z_][a-z0-9_]*$/.test(dbName)) {
  console.error("usage: npx tsx scripts/hot-plans.ts <database>");
  process.exit(2);
}
const url = `${BASE}/${dbName}`;

interface Recorded {
  route: string;
  text: string;
  values: unknown[];
}

async function main() {
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: url,
    MIGRATE_ON_START: "false",
    SEED_ON_START: "false",
    REGISTRATION: "open",
    CALL_WINDOW: "00:00-24:00",
    NO_CALL_WEEKDAYS: "none",
    PROMISE_EVALUATION_INTERVAL_MINUTES: "0",
    CLEANUP_INTERVAL_MINUTES: "0",
  });
  let route: string | undefined;
  const recorded: Recorded[] = [];
  const database = await createDatabase(config.database, undefined, {
    onQuery: (text, values) => route && recorded.push({ route, text, values: values ?? [] }),
  });
  const app = await buildApp(config, { database });
  // As the service's pool connects (src/db/client.ts): no parallel workers, so the plans are the ones it gets.
  const client = new pg.Client({ connectionString: url, options: "-c max_parallel_workers_per_gather=0" });
  await client.connect();
  try {
    const agent = { email: "plans-agent@example.com", password: "Plans-Agent-Oasis-2026-1", name: "Plans Agent" };
    await app.inject({ method: "POST", url: "/api/auth/register", payload: agent });
    const login = await app.inject({ method: "POST", url: "/api/auth/login", payload: agent });
    const token = (login.json() as { token?: string }).token;
    if (!token) throw new Error(`login: ${login.statusCode} ${login.body}`);
    const headers = { authorization: `Bearer ${token}` };
    const { rows } = await client.query<{ phone: string; n: string }>(
      "select phone, count(*) over () as n from customers where external_ref = 'GEN-' || (select count(*) / 2 from customers)",
    );
    const phone = rows[0]!.phone;
    const routes: [string, string, string][] = [
      ["pre-call", "GET", `/api/crm/pre-call?phone=${encodeURIComponent(phone)}`],
      ["search by surname", "GET", "/api/customers?q=Benali&limit=25"],
      ["search by phone", "GET", `/api/customers?q=${encodeURIComponent(phone)}&limit=25`],
      ["search by GEN ref", "GET", "/api/customers?q=GEN-4242&limit=25"],
      ["worklist", "GET", "/api/crm/worklist?limit=50"],
      ["next-call", "POST", "/api/crm/next-call"],
    ];
    for (const [name, method, path] of routes) {
      route = name;
      const res = await app.inject({ method: method as "GET" | "POST", url: path, headers });
      route = undefined;
      console.log(`${name}: ${method} ${path} → ${res.statusCode}`);
    }

    const seen = new Set<string>();
    for (const r of recorded) {
      if (/^\s*(begin|commit|rollback|set|select pg_advisory)/i.test(r.text) || seen.has(r.text)) continue;
      seen.add(r.text);
      let plan: string[] = [];
      for (let run = 0; run < 2; run++) {
        await client.query("begin");
        try {
          const res = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${r.text}`, r.values);
          plan = res.rows.map((row) => row["QUERY PLAN"]);
        } finally {
          await client.query("rollback");
        }
      }
      const time = plan.find((l) => l.startsWith("Execution Time")) ?? "";
      const seqScans = plan.filter((l) => /Seq Scan/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, ""));
      console.log(`\n### ${r.route}: ${r.text.replace(/\s+/g, " ").slice(0, 160)}…`);
      console.log(`${time}; sequential scans: ${seqScans.length ? seqScans.join("; ") : "none"}`);
      console.log(plan.join("\n"));
    }
  } finally {
    await client.end();
    await app.close();
    await database.close();
  }
}

await main();
