import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import { runDoctor } from "../src/cli/doctor.js";
import { createDatabase, type Database } from "../src/db/client.js";
import { memoryWriteMarks, relayWriteMarks } from "../src/db/read-routing.js";
import { lagFromSamples, lsnValue, type ReplicaState } from "../src/db/replica.js";
import { manualClock } from "../src/lib/clock.js";
import { FAST_AUTH_ENV } from "./support/accounts.js";
import { createTestDatabase, onPostgres, type TestDatabase, testConfig } from "./support/app.js";
import { createCustomer, type Headers, LONG_SESSION_ENV, staffSessions } from "./support/crm.js";
import { closedPort } from "./support/fake-servers.js";
import { startTcpProxy } from "./support/tcp-proxy.js";

// Without a real standby, the "replica" is another database on the same server, migrated but without
// the rows written in these tests: what a request sees tells where it read. Its position in the WAL is
// the server's own, so tests that need it behind hold the position the router sees (`hold`).
const clock = manualClock(new Date("2026-06-15T09:00:00Z"));

async function adminQuery<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}
const currentLsn = async (url: string) =>
  (await adminQuery<{ lsn: string }>(url, "select pg_current_wal_lsn()::text as lsn"))[0]!.lsn;

async function appOn(primary: TestDatabase, replicaUrl: string, env: Record<string, string> = {}) {
  const config = testConfig({
    ...FAST_AUTH_ENV,
    ...LONG_SESSION_ENV,
    ...primary.env,
    DATABASE_REPLICA_URL: replicaUrl,
    REPLICA_MAX_LAG_SECONDS: "5",
    ...env,
  });
  const opened = await createDatabase(config.database);
  const replica = opened.replica!;
  let held: Partial<ReplicaState> | undefined;
  const database: Database = {
    ...opened,
    replica: {
      ...replica,
      state: () => (held ? { ...replica.state(), ...held, checkedAt: Date.now() } : replica.state()),
    },
  };
  const app = await buildApp(config, { database, clock });
  return {
    app,
    replica,
    /** What the router believes of the replica, until `release()`. */
    hold: (state: Partial<ReplicaState>) => (held = state),
    release: () => (held = undefined),
    async close() {
      await app.close();
      await opened.close();
    },
  };
}

const search = (app: App, headers: Headers, text: string) =>
  app.inject({ method: "GET", url: `/api/customers?q=${encodeURIComponent(text)}`, headers });
const found = async (app: App, headers: Headers, text: string) => {
  const res = await search(app, headers, text);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { data: unknown[] }).data.length;
};

describe.runIf(onPostgres)("reads on a replica (DATABASE_REPLICA_URL)", () => {
  let primary: TestDatabase;
  let standIn: TestDatabase;
  let t: Awaited<ReturnType<typeof appOn>>;
  let as: Awaited<ReturnType<typeof staffSessions>>;
  let customer: Awaited<ReturnType<typeof createCustomer>>;
  let lsnBeforeWrite: string;

  beforeAll(async () => {
    primary = await createTestDatabase({ migrated: true });
    standIn = await createTestDatabase({ migrated: true });
    // Like a hot standby, the stand-in refuses writes: a "read" route that writes fails here.
    await adminQuery(
      standIn.connectionString!,
      `alter database ${new URL(standIn.connectionString!).pathname.slice(1)} set default_transaction_read_only = on`,
    );
    t = await appOn(primary, standIn.connectionString!);
    await t.replica.probe();
    as = await staffSessions(t.app);
    lsnBeforeWrite = await currentLsn(primary.connectionString!);
    // The replica has not replayed the supervisor's write yet.
    t.hold({ reachable: true, lagSeconds: 0, replayLsn: lsnBeforeWrite });
    customer = await createCustomer(t.app, as.supervisor.headers, { fullName: "Replica Routing Test" });
  });
  afterAll(async () => {
    await t?.close();
    await standIn?.drop();
    await primary?.drop();
  });

  it("searches and pre-call read on the replica; the write went to the primary", async () => {
    const before = { ...t.app.services.reads.counts };
    expect(await found(t.app, as.agent.headers, "Replica Routing")).toBe(0);
    const pre = await t.app.inject({
      method: "GET",
      url: `/api/crm/pre-call?phone=${encodeURIComponent(customer.phone)}`,
      headers: as.agent.headers,
    });
    expect(pre.json().error.code).toBe("CUSTOMER_NOT_FOUND");
    expect(t.app.services.reads.counts.replica).toBe(before.replica + 2);
    expect(t.app.services.reads.counts.primary).toBe(before.primary);
    // Details too: the agent wrote nothing, so the replica answers (without the customer).
    const detail = await t.app.inject({
      method: "GET",
      url: `/api/customers/${customer.id}`,
      headers: as.agent.headers,
    });
    expect(detail.statusCode).toBe(404);
  });

  it("the writer reads their own write: on the primary until the replica has replayed it", async () => {
    t.hold({ reachable: true, lagSeconds: 0, replayLsn: lsnBeforeWrite });
    expect(await found(t.app, as.supervisor.headers, "Replica Routing")).toBe(1);
    expect(await found(t.app, as.agent.headers, "Replica Routing")).toBe(0);
    // Replayed past the write: the supervisor reads on the replica again.
    t.hold({ reachable: true, lagSeconds: 0, replayLsn: await currentLsn(primary.connectionString!) });
    expect(await found(t.app, as.supervisor.headers, "Replica Routing")).toBe(0);
  });

  it("every routed read runs on the replica and writes nothing there", async () => {
    t.hold({ reachable: true, lagSeconds: 0, replayLsn: await currentLsn(primary.connectionString!) });
    const unknown = "00000000-0000-4000-8000-000000000000";
    const reads: [Headers, string][] = [
      [as.agent.headers, `/api/crm/pre-call?phone=${encodeURIComponent(customer.phone)}`],
      [as.agent.headers, "/api/customers?q=Replica"],
      [as.agent.headers, `/api/customers/${customer.id}`],
      [as.agent.headers, `/api/customers/${customer.id}/loans`],
      [as.agent.headers, `/api/customers/${customer.id}/interactions`],
      [as.agent.headers, "/api/loans"],
      [as.agent.headers, `/api/loans/${unknown}`],
      [as.agent.headers, `/api/loans/${unknown}/payments`],
      [as.agent.headers, "/api/interactions"],
      [as.agent.headers, `/api/interactions/${unknown}`],
      [as.supervisor.headers, "/api/admin/stats/users"],
      [as.supervisor.headers, "/api/admin/stats/logins"],
      [as.supervisor.headers, "/api/admin/stats/most-active-users"],
      [as.supervisor.headers, "/api/admin/stats/collections"],
      [as.supervisor.headers, "/api/admin/stats/arrears"],
      [as.admin.headers, "/api/admin/audit-logs"],
      [as.admin.headers, "/api/admin/audit-logs?format=csv"],
      [as.admin.headers, "/api/admin/audit-logs?success=false&format=csv"],
      [as.admin.headers, "/api/admin/login-history"],
      [as.admin.headers, "/api/admin/login-history?format=csv"],
    ];
    const before = t.app.services.reads.counts.replica;
    for (const [headers, url] of reads) {
      const res = await t.app.inject({ method: "GET", url, headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500);
    }
    expect(t.app.services.reads.counts.replica - before).toBe(reads.length);
    await expect(t.replica.db.execute(sql`create table written_on_replica (id int)`)).rejects.toThrow();
  });

  it("a replica lagging past REPLICA_MAX_LAG_SECONDS: reads go to the primary, /ready stays ready and reports the lag", async () => {
    t.hold({ reachable: true, lagSeconds: 12, replayLsn: await currentLsn(primary.connectionString!) });
    expect(await found(t.app, as.agent.headers, "Replica Routing")).toBe(1);
    const ready = await t.app.inject({ method: "GET", url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().replica).toEqual({ reachable: true, lagSeconds: 12, maxLagSeconds: 5, serving: false });
    t.release();
    await t.replica.probe();
    expect((await t.app.inject({ method: "GET", url: "/ready" })).json().replica).toMatchObject({
      reachable: true,
      lagSeconds: 0,
      serving: true,
    });
  });

  it("a replica that dies between two probes: the read runs again on the primary, no 503", async () => {
    const proxy = await startTcpProxy("127.0.0.1", Number(new URL(standIn.connectionString!).port || 5432));
    const url = new URL(standIn.connectionString!);
    url.port = String(proxy.port);
    const viaProxy = await appOn(primary, url.toString());
    try {
      await viaProxy.replica.probe();
      const agent = await staffSessions(viaProxy.app);
      expect(await found(viaProxy.app, agent.agent.headers, "Replica Routing")).toBe(0);
      await proxy.cut();
      // The last probe still says "reachable": the query finds it gone and falls back.
      expect(viaProxy.replica.state().reachable).toBe(true);
      expect(await found(viaProxy.app, agent.agent.headers, "Replica Routing")).toBe(1);
      expect(viaProxy.replica.state().reachable).toBe(false);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  }, 60_000);

  it("a replica that is down: reads on the primary, /ready and crm doctor say so", async () => {
    const dead = new URL(standIn.connectionString!);
    dead.port = String(await closedPort());
    const down = await appOn(primary, dead.toString());
    try {
      await down.replica.probe();
      const agent = await staffSessions(down.app);
      expect(await found(down.app, agent.agent.headers, "Replica Routing")).toBe(1);
      const ready = await down.app.inject({ method: "GET", url: "/ready" });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().replica).toMatchObject({ reachable: false, serving: false });
    } finally {
      await down.close();
    }
    const results = await runDoctor({ ...primary.env, DATABASE_REPLICA_URL: dead.toString() });
    expect(results.find((r) => r.name === "replica")).toMatchObject({ ok: false, category: "REPLICA_UNAVAILABLE" });
    const healthy = await runDoctor({ ...primary.env, DATABASE_REPLICA_URL: standIn.connectionString! });
    expect(healthy.find((r) => r.name === "replica")).toMatchObject({ ok: true });
  }, 60_000);
});

describe("replica lag from WAL positions", () => {
  it("orders positions across the 32-bit boundary", () => {
    expect(lsnValue("1/0") > lsnValue("0/FFFFFFFF")).toBe(true);
    expect(lsnValue("16/B374D848")).toBe((0x16n << 32n) | 0xb374d848n);
  });

  it("is the age of the oldest primary position not replayed; 0 when caught up, even on an idle primary", () => {
    const samples = [
      { at: 1_000, lsn: lsnValue("0/100") },
      { at: 2_000, lsn: lsnValue("0/200") },
      { at: 3_000, lsn: lsnValue("0/200") },
    ];
    expect(lagFromSamples(samples, lsnValue("0/200"), 60_000)).toBe(0);
    expect(lagFromSamples(samples, lsnValue("0/150"), 10_000)).toBe(8);
    expect(lagFromSamples(samples, lsnValue("0/50"), 10_000)).toBe(9);
  });

  it("write marks keep the furthest position; the cluster primary relays them to the other workers only", async () => {
    const marks = memoryWriteMarks();
    await marks.set("agent", "0/200");
    await marks.set("agent", "0/100");
    expect(await marks.get("agent")).toBe("0/200");
    expect(await marks.get("someone else")).toBeUndefined();

    const sent: number[] = [];
    const workers = [1, 2, 3].map((id) => ({ id, send: () => sent.push(id) }));
    relayWriteMarks({ id: 2 }, { type: "crm:write-mark", actor: "agent", lsn: "0/300" }, workers);
    expect(sent).toEqual([1, 3]);
    relayWriteMarks({ id: 2 }, { type: "something else" }, workers);
    expect(sent).toEqual([1, 3]);
  });
});
