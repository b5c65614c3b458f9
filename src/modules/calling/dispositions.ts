import type { FastifyBaseLogger } from "fastify";
import { postgresCodeOf } from "../../lib/error-mapping.js";
import type { Services } from "../../services.js";
import { checkDispositions, effectsOf, requiredFields } from "./disposition-effects.js";
import { listActiveDispositions, listDispositionRows } from "./repository.js";

/** Active outcomes in picker order, each with the fields a post-call with it must carry. */
export async function listDispositionViews(services: Services) {
  const rows = await listActiveDispositions(services.db);
  return rows.map((d) => ({ ...d, requires: requiredFields(effectsOf(d)) }));
}

/**
 * Start-up check of the `dispositions` rows against the typed table (disposition-effects.ts). A
 * built-in code without a row fails the start (see docs/decisions.md, 2026-12-03): the migrations
 * insert those rows, so one missing means a hand-edited or wrong database, and every call with that
 * outcome would be refused. A built-in row whose contacted / right-party flags were changed is only
 * logged: a centre may count an outcome differently, and the row is what the statistics read.
 */
export async function verifyDispositions(services: Services, log: FastifyBaseLogger): Promise<void> {
  let rows: Awaited<ReturnType<typeof listDispositionRows>>;
  try {
    rows = await listDispositionRows(services.db);
  } catch (err) {
    // MIGRATE_ON_START=false on a database not migrated yet: readiness reports the pending migrations.
    if (postgresCodeOf(err) !== "42P01") throw err;
    log.warn("dispositions not checked: the table does not exist yet (migrations pending)");
    return;
  }
  const check = checkDispositions(rows);
  if (check.missing.length > 0) {
    throw new Error(
      `the dispositions table has no row for the built-in code(s) ${check.missing.join(", ")}; ` +
        "post-call would refuse them. Restore the rows (drizzle/0007_seed_dispositions.sql lists them); " +
        "to retire an outcome set is_active = false instead of deleting it",
    );
  }
  for (const d of check.drifted) {
    log.warn(
      { disposition: d.code, row: d.row, declared: d.declared },
      `disposition ${d.code}: the row's contacted / right-party flags differ from the built-in table; statistics follow the row`,
    );
  }
  if (check.custom.length > 0) {
    log.info({ dispositions: check.custom }, "centre's own dispositions: contacted / right-party flags only");
  }
}
