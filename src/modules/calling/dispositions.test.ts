import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../app.js";
import { createDatabase } from "../../db/client.js";
import { customers, phoneFlags } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { createTestDatabase, onPostgres, testConfig } from "../../../test/support/app.js";
import { createCustomer, createLoan, useCrmTestApp } from "../../../test/support/crm.js";
import { BUILT_IN_DISPOSITIONS, checkDispositions, effectsOf } from "./disposition-effects.js";

const clock = manualClock(new Date("2026-03-03T09:00:00Z"));
const ctx = useCrmTestApp(clock);

describe("GET /api/crm/dispositions", () => {
  it("lists the active outcomes with the fields a post-call with each requires", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/api/crm/dispositions", headers: ctx.as.agent.headers });
    expect(res.statusCode).toBe(200);
    const byCode = Object.fromEntries(res.json().data.map((d: { code: string }) => [d.code, d]));
    expect(byCode.promise_to_pay).toMatchObject({
      requires: ["promiseAmount", "promiseDate"],
      rightPartyContact: true,
    });
    expect(byCode.callback_requested.requires).toEqual(["callbackAt"]);
    expect(byCode.no_answer).toMatchObject({ requires: [], contacted: false });
    expect((await ctx.app.inject({ method: "GET", url: "/api/crm/dispositions" })).statusCode).toBe(401);
  });
});

describe("a centre's own disposition", () => {
  it("gets the contacted / right-party flags its row declares and no other effect", async () => {
    await ctx.app.database.db.execute(
      sql`insert into dispositions (code, label, contacted, right_party_contact, sort_order)
          values ('message_left_with_family', 'Message left with a relative', true, false, 95)`,
    );
    const listed = await ctx.app.inject({ method: "GET", url: "/api/crm/dispositions", headers: ctx.as.agent.headers });
    expect(listed.json().data).toContainEqual({
      code: "message_left_with_family",
      label: "Message left with a relative",
      contacted: true,
      rightPartyContact: false,
      requires: [],
    });

    const customer = await createCustomer(ctx.app, ctx.as.admin.headers);
    await createLoan(ctx.app, ctx.as.admin.headers, customer.id, { amountOverdue: "5500.00", missedInstallments: 1 });
    const post = (disposition: string, extra: Record<string, unknown> = {}) =>
      ctx.app.inject({
        method: "POST",
        url: "/api/crm/post-call",
        headers: ctx.as.agent.headers,
        payload: {
          callId: `OWN-${disposition}-${Object.keys(extra).length}`,
          phone: customer.phone,
          direction: "outbound",
          startedAt: clock.now().toISOString(),
          durationSeconds: 45,
          disposition,
          ...extra,
        },
      });
    // Promise fields belong to the built-in promise outcome only.
    expect((await post("message_left_with_family", { promiseAmount: "100.00" })).statusCode).toBe(400);
    const res = await post("message_left_with_family");
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().promise).toBeUndefined();
    expect(res.json().eligibility.canCall).toBe(true);
    const [row] = await ctx.app.database.db.select().from(customers).where(eq(customers.id, customer.id));
    expect(row).toMatchObject({ doNotCall: false, version: customer.version });
    expect(await ctx.app.database.db.select().from(phoneFlags).where(eq(phoneFlags.customerId, customer.id))).toEqual(
      [],
    );

    // The declared flags are what the supervisor's figures count.
    const stats = await ctx.app.inject({
      method: "GET",
      url: "/api/admin/stats/collections?from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z",
      headers: ctx.as.supervisor.headers,
    });
    expect(stats.json().byDisposition).toContainEqual(
      expect.objectContaining({
        disposition: "message_left_with_family",
        calls: 1,
        contacts: 1,
        rightPartyContacts: 0,
      }),
    );
  });
});

describe("the start-up check of the dispositions rows", () => {
  const rows = Object.entries(BUILT_IN_DISPOSITIONS).map(([code, e]) => ({
    code,
    contacted: e.contacted as boolean,
    rightPartyContact: e.rightPartyContact as boolean,
  }));

  it("reports missing built-in codes, changed flags and a centre's own codes", () => {
    expect(checkDispositions(rows)).toEqual({ missing: [], drifted: [], custom: [] });
    const edited = rows
      .filter((r) => r.code !== "voicemail")
      .map((r) => (r.code === "busy" ? { ...r, contacted: true } : r))
      .concat({ code: "left_message", contacted: true, rightPartyContact: false });
    const check = checkDispositions(edited);
    expect(check.missing).toEqual(["voicemail"]);
    expect(check.drifted.map((d) => d.code)).toEqual(["busy"]);
    expect(check.custom).toEqual(["left_message"]);
    expect(effectsOf({ code: "left_message", contacted: true, rightPartyContact: false })).toEqual({
      contacted: true,
      rightPartyContact: false,
      promise: false,
      loanStatus: null,
      doNotCall: false,
      flagPhone: false,
      callback: "optional",
    });
  });

  it("refuses to start without a built-in row, and logs a built-in row whose flags were changed", async () => {
    const target = await createTestDatabase({ migrated: true });
    const config = testConfig({ ...target.env, LOG_LEVEL: "warn" });
    const database = onPostgres ? await createDatabase(config.database) : await target.open!();
    try {
      await database.db.execute(sql`delete from dispositions where code = 'voicemail'`);
      await expect(buildApp(config, { database })).rejects.toThrow(
        /dispositions table has no row for the built-in code\(s\) voicemail/,
      );

      await database.db.execute(
        sql`insert into dispositions (code, label, contacted, right_party_contact) values ('voicemail', 'Voicemail', true, false)`,
      );
      const lines: string[] = [];
      const app = await buildApp(config, { database, logStream: { write: (l) => lines.push(l) } });
      await app.close();
      expect(lines.join("")).toContain("disposition voicemail: the row's contacted / right-party flags differ");
    } finally {
      await database.close();
      await target.drop();
    }
  }, 60_000);
});
