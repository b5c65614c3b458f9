import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import { runDoctor } from "../src/cli/doctor.js";
import { manualClock } from "../src/lib/clock.js";
import { runPromiseEvaluation } from "../src/modules/promises/service.js";
import { FAST_AUTH_ENV } from "./support/accounts.js";
import { createTestDatabase, onPostgres, TEST_DATABASE_URL, type TestDatabase, testConfig } from "./support/app.js";
import { createCustomer, createLoan, daysAgo, LONG_SESSION_ENV, staffSessions } from "./support/crm.js";
import { pgbouncerMissing, startPgBouncer } from "./support/pgbouncer.js";

const skip = !onPostgres ? "needs PostgreSQL (TEST_DATABASE_URL)" : pgbouncerMissing;
const byName = (results: Awaited<ReturnType<typeof runDoctor>>, name: string) => results.find((r) => r.name === name);
const nameOf = (url: string) => new URL(url).pathname.slice(1);

async function admin<T extends pg.QueryResultRow>(database: TestDatabase, text: string) {
  const client = new pg.Client({ connectionString: database.connectionString });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(skip)(`behind PgBouncer in transaction mode${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let bouncer: Awaited<ReturnType<typeof startPgBouncer>>;
  let database: TestDatabase;
  let direct: string;
  let pooled: string;
  beforeAll(async () => {
    // Empty: the app's migrations must run, through DATABASE_DIRECT_URL.
    database = await createTestDatabase();
    direct = database.connectionString!;
    // Set before PgBouncer opens any server connection (they keep the value they started with).
    await admin(database, `alter database ${nameOf(direct)} set max_parallel_workers_per_gather = 0`);
    bouncer = await startPgBouncer(TEST_DATABASE_URL!);
    pooled = bouncer.url(nameOf(direct));
  });
  afterAll(async () => {
    await bouncer?.stop();
    await database?.drop();
  });

  it("with DB_PREPARED_STATEMENTS=false and DATABASE_DIRECT_URL: migrations, sign-in, pre-call and post-call", async () => {
    // Monday 15 June 2026, 10:00 in Algiers: inside the call window.
    const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
    const env = {
      DATABASE_URL: pooled,
      DATABASE_DIRECT_URL: direct,
      DB_PREPARED_STATEMENTS: "false",
      DB_POOL_MAX: "8",
    };
    const logs: string[] = [];
    const app: App = await buildApp(testConfig({ ...FAST_AUTH_ENV, ...LONG_SESSION_ENV, ...env, LOG_LEVEL: "error" }), {
      clock,
      logStream: { write: (l) => logs.push(l) },
    });
    try {
      const as = await staffSessions(app);
      const customer = await createCustomer(app, as.supervisor.headers);
      await createLoan(app, as.supervisor.headers, customer.id, {
        amountOverdue: "11000.00",
        nextDueDate: daysAgo(clock.now(), 40),
      });
      const preCall = () =>
        app.inject({
          method: "GET",
          url: `/api/crm/pre-call?phone=${encodeURIComponent(customer.phone)}`,
          headers: as.agent.headers,
        });
      // Concurrent requests spread over PgBouncer's server connections: a named statement prepared on
      // one is unknown on the others, so this fails if queryNamed still names its statements.
      const answers = await Promise.all(Array.from({ length: 24 }, preCall));
      expect(answers.map((r) => r.statusCode)).toEqual(answers.map(() => 200));
      expect(answers[0]!.json().customer.id).toBe(customer.id);

      const post = await app.inject({
        method: "POST",
        url: "/api/crm/post-call",
        headers: as.agent.headers,
        payload: {
          callId: `CALL-PGB-${Date.now()}`,
          phone: customer.phone,
          direction: "outbound",
          startedAt: clock.now().toISOString(),
          durationSeconds: 60,
          disposition: "promise_to_pay",
          promiseAmount: "5000.00",
          promiseDate: "2026-06-20",
        },
      });
      expect(post.statusCode, post.body).toBe(201);
      const after = (await preCall()).json();
      expect(after.recentInteractions[0]).toMatchObject({ disposition: "promise_to_pay" });

      // A background job takes and releases its session-level lock on the direct connection.
      await runPromiseEvaluation(app.services, app.database);
      const held = await admin(
        database,
        `select count(*)::int as n from pg_locks
           where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
      );
      expect(held).toEqual([{ n: 0 }]);
    } finally {
      await app.close();
    }
    expect(logs.filter((l) => /"level":50/.test(l))).toEqual([]);
  }, 120_000);

  it("crm doctor recognises the pooler and names the settings it needs", async () => {
    const refused = await runDoctor({ DATABASE_URL: pooled });
    expect(byName(refused, "database")).toMatchObject({ ok: false, category: "DATABASE_POOLER" });
    expect(byName(refused, "database")?.fix).toContain("DB_PREPARED_STATEMENTS=false");

    const halfway = await runDoctor({ DATABASE_URL: pooled, DB_PREPARED_STATEMENTS: "false" });
    expect(byName(halfway, "pooler")).toMatchObject({ ok: false, category: "POOLER_SETTINGS" });
    expect(byName(halfway, "pooler")?.fix).toContain("DATABASE_DIRECT_URL");
    expect(byName(halfway, "pooler")?.fix).not.toContain("max_parallel_workers_per_gather");

    const ready = await runDoctor({
      DATABASE_URL: pooled,
      DB_PREPARED_STATEMENTS: "false",
      DATABASE_DIRECT_URL: direct,
    });
    expect(byName(ready, "pooler")).toMatchObject({ ok: true });
    expect(byName(ready, "direct connection")).toMatchObject({ ok: true });

    const wrongDirect = await runDoctor({
      DATABASE_URL: pooled,
      DB_PREPARED_STATEMENTS: "false",
      DATABASE_DIRECT_URL: pooled,
    });
    expect(byName(wrongDirect, "direct connection")).toMatchObject({ ok: false, category: "POOLER_SETTINGS" });

    const straight = await runDoctor({ DATABASE_URL: direct });
    expect(byName(straight, "pooler")).toMatchObject({ ok: true, message: expect.stringContaining("none detected") });
  }, 60_000);

  it("without the database-level setting, crm doctor asks for it (PgBouncer drops startup options)", async () => {
    const plain = await createTestDatabase();
    try {
      const results = await runDoctor({
        DATABASE_URL: bouncer.url(nameOf(plain.connectionString!)),
        DB_PREPARED_STATEMENTS: "false",
        DATABASE_DIRECT_URL: plain.connectionString!,
      });
      expect(byName(results, "pooler")).toMatchObject({ ok: false, category: "POOLER_SETTINGS" });
      expect(byName(results, "pooler")?.fix).toContain("set max_parallel_workers_per_gather = 0");
    } finally {
      await plain.drop();
    }
  }, 60_000);
});
