/**
 * The bench's reads of its database: the customers the scenarios ask for, and the claims check.
 */
import type { ClaimsCheck } from "./report.js";
import { phoneOf } from "../src/modules/customers/seed-scale-sql.js";
import { withClient } from "./infra.js";

export async function databaseExists(name: string): Promise<boolean> {
  return withClient(
    "postgres",
    async (c) => (await c.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1,
  );
}

/**
 * The phones of generated customers `numbers` (GEN-<n>), and how many match the seed's phone
 * formula, which pgbench computes them with: they must all match, or pgbench asks for other rows.
 */
export async function samplePhones(
  dbName: string,
  numbers: number[],
): Promise<{ phones: string[]; formulaMatches: number; customersSeeded: number }> {
  return withClient(dbName, async (c) => {
    const sample = await c.query<{ phone: string; formula: boolean }>(
      `select c.phone, c.phone = ${phoneOf("s.n")} as formula
         from unnest($1::bigint[]) as s(n) join customers c on c.external_ref = 'GEN-' || s.n`,
      [numbers],
    );
    const count = await c.query<{ n: string }>("select count(*) as n from customers");
    return {
      phones: sample.rows.map((r) => r.phone),
      formulaMatches: sample.rows.filter((r) => r.formula).length,
      customersSeeded: Number(count.rows[0]!.n),
    };
  });
}

/**
 * Counted from the database, not from the answers: two claims on one customer whose leases
 * overlap in time (a live one counts until now), and customers with two live claims.
 */
export async function checkClaims(dbName: string): Promise<ClaimsCheck> {
  return withClient(dbName, async (c) => {
    const { rows } = await c.query<{ claims: string; overlapping: string; live_duplicates: string }>(
      `select (select count(*) from call_claims) as claims,
              (select count(*) from call_claims a join call_claims b on a.customer_id = b.customer_id and a.id < b.id
                where a.claimed_at < coalesce(b.released_at, 'infinity') and b.claimed_at < coalesce(a.released_at, 'infinity')) as overlapping,
              (select count(*) from (select customer_id from call_claims where released_at is null group by customer_id having count(*) > 1) d) as live_duplicates`,
    );
    const r = rows[0]!;
    return { claims: Number(r.claims), overlapping: Number(r.overlapping), liveDuplicates: Number(r.live_duplicates) };
  });
}
