import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs } from "../../db/schema/index.js";
import { createStaff, FAST_AUTH_ENV, login, signIn } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV });
  admin = await signIn(t.app, (await createStaff(t.app, { role: "admin" })).email);
});
afterAll(async () => t.close());

const get = (url: string, headers = admin.auth) => t.app.inject({ method: "GET", url, headers });

describe("audit log and login history", () => {
  it("lists audit entries with filters, families and cursor pagination; admins only", async () => {
    const u = await createStaff(t.app);
    await signIn(t.app, u.email);
    await login(t.app, u.email, "Wrong-Password-1!");
    const logins = (await get(`/api/admin/audit-logs?action=auth.login&actor=${u.user.id}`)).json();
    expect(logins.data).toHaveLength(1);
    const family = (await get(`/api/admin/audit-logs?action=auth.*&actor=${u.user.id}`)).json();
    expect(family.data.map((e: { action: string }) => e.action).sort()).toEqual(["auth.login", "auth.login_failed"]);
    const page1 = (await get("/api/admin/audit-logs?limit=2")).json();
    const page2 = (await get(`/api/admin/audit-logs?limit=2&cursor=${page1.page.nextCursor}`)).json();
    expect(page2.data[0].id).toBeLessThan(page1.data[1].id);
    const agent = await signIn(t.app, (await createStaff(t.app)).email);
    expect((await get("/api/admin/audit-logs", agent.auth)).statusCode).toBe(403);
  });

  it("filters the audit log on success (derived from the action), in the list and in the CSV", async () => {
    const u = await createStaff(t.app);
    await signIn(t.app, u.email);
    await login(t.app, u.email, "Wrong-Password-1!");
    const actions = async (query: string) =>
      (await get(`/api/admin/audit-logs?actor=${u.user.id}&action=auth.*${query}`))
        .json()
        .data.map((e: { action: string; success: boolean }) => [e.action, e.success]);
    expect(await actions("")).toEqual([
      ["auth.login_failed", false],
      ["auth.login", true],
    ]);
    expect(await actions("&success=false")).toEqual([["auth.login_failed", false]]);
    expect(await actions("&success=true")).toEqual([["auth.login", true]]);
    const csv = await get(`/api/admin/audit-logs?actor=${u.user.id}&success=false&format=csv`);
    const lines = csv.body.split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"auth.login_failed"');
    expect(lines[1]).toMatch(/"false"$/);
    expect((await get("/api/admin/audit-logs?success=maybe")).statusCode).toBe(400);
  });

  it("lists login history by user and success", async () => {
    const u = await createStaff(t.app);
    await signIn(t.app, u.email);
    await login(t.app, u.email, "Wrong-Password-1!");
    const failed = (await get(`/api/admin/login-history?user=${u.user.id}&success=false`)).json().data;
    expect(failed).toEqual([
      expect.objectContaining({ success: false, reason: "wrong_password", identifier: u.email }),
    ]);
  });

  it("exports CSV, streaming every matching row, with quoting and formula defusing", async () => {
    await t.app.database.db.insert(auditLogs).values(
      Array.from({ length: 2500 }, (_, i) => ({
        action: "test.bulk",
        details: { n: i, note: 'a "quoted", text\nwith newline' },
        entityId: i === 0 ? "=HYPERLINK(1)" : i === 1 ? " =SUM(A1)" : i === 2 ? "x;=cmd()" : String(i),
      })),
    );
    const res = await get("/api/admin/audit-logs?action=test.bulk&format=csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    const lines = res.body.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe(
      '"id","created_at","actor_type","actor_id","action","entity_type","entity_id","ip","request_id","details","success"',
    );
    expect(lines.length).toBeGreaterThan(2500);
    expect(res.body).toContain(`"'=HYPERLINK(1)"`);
    expect(res.body).toContain(`"' =SUM(A1)"`);
    // Every cell is quoted, so a French-locale spreadsheet (separator `;`) keeps "x;=cmd()" one cell.
    expect(res.body).toContain(`"x;=cmd()"`);
    expect(lines[1]).toMatch(/^"[^"]*"(,"([^"]|"")*")*/);
    expect(res.body).toContain('"{""n"":0,""note"":');
    const history = await get("/api/admin/login-history?format=csv");
    expect(history.body.split("\r\n")[0]).toBe(
      '"id","created_at","user_id","identifier","success","reason","ip","user_agent"',
    );
  });
});
