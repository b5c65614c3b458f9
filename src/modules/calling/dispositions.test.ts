import { describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { useCrmTestApp } from "../../../test/support/crm.js";

const ctx = useCrmTestApp(manualClock(new Date("2026-03-03T09:00:00Z")));

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
