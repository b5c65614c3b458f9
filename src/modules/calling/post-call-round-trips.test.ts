import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../app.js";
import { createDatabase } from "../../db/client.js";
import { callClaims } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { nextCall, seedDebtors, signedInAgents } from "../../../test/support/allocation.js";
import { createTestDatabase, onPostgres, testConfig } from "../../../test/support/app.js";
import { LONG_SESSION_ENV } from "../../../test/support/crm.js";
import { recordPostCallOutcome } from "./post-call.js";

// Round trips are what a networked PostgreSQL charges for; PGlite lives in the process.
describe.runIf(onPostgres)("post-call round trips", () => {
  it("a no_answer post-call that releases the caller's claim sends three statements, and a replay two", async () => {
    const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
    const target = await createTestDatabase({ migrated: true });
    const statements: string[] = [];
    let counting = false;
    const config = testConfig({ ...target.env, ...FAST_AUTH_ENV, ...LONG_SESSION_ENV });
    const database = await createDatabase(config.database, undefined, {
      onQuery: (text) => counting && statements.push(text.replace(/\s+/g, " ").slice(0, 40)),
    });
    const app = await buildApp(config, { database, clock });
    try {
      const [debtor] = await seedDebtors(app, clock.now(), 1);
      const [agent] = await signedInAgents(app, 1);
      expect((await nextCall(app, agent!.headers)).json().claim.customerId).toBe(debtor!.id);
      const input = {
        callId: "RT-1",
        customerId: debtor!.id,
        direction: "outbound" as const,
        startedAt: clock.now().toISOString(),
        durationSeconds: 20,
        disposition: "no_answer",
      };
      const caller = { userId: agent!.userId, userName: agent!.name, apiKeyId: null };
      const ctx = {
        ip: "127.0.0.1",
        userAgent: null,
        requestId: "rt-1",
        actorId: agent!.userId,
        actorType: "user" as const,
      };

      counting = true;
      const first = await recordPostCallOutcome(app.services, input, caller, ctx);
      counting = false;
      expect(first.created).toBe(true);
      expect(first.eligibility.canCall).toBe(true);
      // The facts (callId, customer, loans, disposition), the write (one statement), the new eligibility.
      expect(statements).toHaveLength(3);
      expect(statements[1]).toMatch(/^with "ins" as \(insert/);
      const [claim] = await app.database.db.select().from(callClaims).where(eq(callClaims.customerId, debtor!.id));
      expect(claim).toMatchObject({ releaseReason: "call_recorded" });

      statements.length = 0;
      counting = true;
      const again = await recordPostCallOutcome(app.services, input, caller, ctx);
      counting = false;
      expect(again).toMatchObject({ created: false, interaction: { id: first.interaction.id } });
      expect(statements).toHaveLength(2);
    } finally {
      await app.close();
      await database.close();
      await target.drop();
    }
  }, 60_000);
});
