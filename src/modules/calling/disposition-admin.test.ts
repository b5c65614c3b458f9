import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLogs } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { useCrmTestApp } from "../../../test/support/crm.js";

const clock = manualClock(new Date("2026-03-03T09:00:00Z"));
const ctx = useCrmTestApp(clock);

const picker = async () =>
  (await ctx.app.inject({ method: "GET", url: "/api/crm/dispositions", headers: ctx.as.agent.headers })).json()
    .data as { code: string; label: string }[];

describe("/api/admin/dispositions", () => {
  it("lets an admin add a centre's own outcome, relabel and retire it, audited; the picker follows", async () => {
    const created = await ctx.app.inject({
      method: "POST",
      url: "/api/admin/dispositions",
      headers: ctx.as.admin.headers,
      payload: { code: "third_party_message", label: "Message left with a third party", contacted: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      code: "third_party_message",
      contacted: true,
      rightPartyContact: false,
      isActive: true,
      builtIn: false,
      requires: [],
    });
    expect((await picker()).map((d) => d.code)).toContain("third_party_message");

    const again = await ctx.app.inject({
      method: "POST",
      url: "/api/admin/dispositions",
      headers: ctx.as.admin.headers,
      payload: { code: "third_party_message", label: "Twice", contacted: false },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("CONFLICT");

    const retired = await ctx.app.inject({
      method: "PATCH",
      url: "/api/admin/dispositions/third_party_message",
      headers: ctx.as.admin.headers,
      payload: { label: "Third-party message", isActive: false },
    });
    expect(retired.statusCode, retired.body).toBe(200);
    expect(retired.json()).toMatchObject({ label: "Third-party message", isActive: false });
    expect((await picker()).map((d) => d.code)).not.toContain("third_party_message");

    const all = await ctx.app.inject({ method: "GET", url: "/api/admin/dispositions", headers: ctx.as.admin.headers });
    const listed = all.json().data.find((d: { code: string }) => d.code === "third_party_message");
    expect(listed).toMatchObject({ isActive: false });
    expect(all.json().data.find((d: { code: string }) => d.code === "promise_to_pay")).toMatchObject({
      builtIn: true,
      requires: ["promiseAmount", "promiseDate"],
    });

    const audit = await ctx.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, "disposition"), eq(auditLogs.entityId, "third_party_message")));
    expect(audit.map((a) => a.action).sort()).toEqual(["disposition.created", "disposition.updated"]);
    expect(audit.find((a) => a.action === "disposition.updated")?.details).toMatchObject({
      changes: { label: { from: "Message left with a third party", to: "Third-party message" } },
    });
  });

  it("refuses a bad code, an unknown one and a right-party contact that is not a contact", async () => {
    const post = (payload: object) =>
      ctx.app.inject({ method: "POST", url: "/api/admin/dispositions", headers: ctx.as.admin.headers, payload });
    expect((await post({ code: "Bad Code", label: "x", contacted: false })).statusCode).toBe(400);
    const contradictoryNew = await post({ code: "odd_one", label: "x", contacted: false, rightPartyContact: true });
    expect(contradictoryNew.statusCode).toBe(400);
    expect(contradictoryNew.json().error.details).toEqual([
      { path: "/contacted", message: "must be true when rightPartyContact is true" },
    ]);
    const patch = (code: string, payload: object) =>
      ctx.app.inject({
        method: "PATCH",
        url: `/api/admin/dispositions/${code}`,
        headers: ctx.as.admin.headers,
        payload,
      });
    expect((await patch("no_such_code", { label: "x" })).statusCode).toBe(404);
    const contradictory = await patch("no_answer", { contacted: false, rightPartyContact: true });
    expect(contradictory.statusCode).toBe(400);
    expect(contradictory.json().error.details).toEqual([
      { path: "/contacted", message: "must be true when rightPartyContact is true" },
    ]);
  });

  it("is for admins only", async () => {
    for (const who of [ctx.as.agent, ctx.as.supervisor]) {
      const res = await ctx.app.inject({ method: "GET", url: "/api/admin/dispositions", headers: who.headers });
      expect(res.statusCode).toBe(403);
    }
  });
});
