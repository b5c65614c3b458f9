import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database, queryRows } from "../src/db/client.js";
import { countRowsPerTable, getMigrationStatus, runMigrations } from "../src/db/migrate.js";
import { createTestDatabase, onPostgres, type TestDatabase, testConfig } from "./support/app.js";

let target: TestDatabase;
let first: Database;
let second: Database;

beforeAll(async () => {
  target = await createTestDatabase();
  first = await createDatabase(testConfig(target.env).database);
  // PGlite is one process-local instance; two "servers" only exist on PostgreSQL.
  second = onPostgres ? await createDatabase(testConfig(target.env).database) : first;
});

afterAll(async () => {
  await first.close();
  if (second !== first) await second.close();
  await target.drop();
});

describe("migrations", () => {
  it("starts with everything pending", async () => {
    const status = await getMigrationStatus(first.db);
    expect(status.applied).toEqual([]);
    expect(status.pending.length).toBe(status.total);
    expect(status.pending[0]).toBe("0000_foundation");
  });

  it("two instances migrating at once apply each migration exactly once", async () => {
    const [a, b] = await Promise.all([runMigrations(first), runMigrations(second)]);
    const status = await getMigrationStatus(first.db);
    expect(status.pending).toEqual([]);
    // One of them applied everything, the other found nothing left to do.
    expect([...a, ...b].sort()).toEqual(status.applied.map((m) => m.tag).sort());
    const [row] = await queryRows<{ n: unknown }>(
      first.db,
      sql`select count(*) as n from drizzle.__drizzle_migrations`,
    );
    expect(Number(row?.n)).toBe(status.total);
  });

  it("is a no-op once up to date", async () => {
    expect(await runMigrations(first)).toEqual([]);
  });

  it("counts rows per table for db status", async () => {
    await first.db.execute(sql`insert into audit_logs (action) values ('test.event')`);
    const counts = await countRowsPerTable(first.db);
    expect(counts).toContainEqual({ table: "audit_logs", rows: 1 });
  });
});
