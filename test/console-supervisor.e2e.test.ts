/**
 * The supervisor's half of the console end to end (issue 17): role guard, live board, assignment,
 * collections dashboard, customer edits with version conflicts, import, security findings; in
 * Debian's headless Chromium against the real server. Screenshots go to docs/console/ (20-…).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConsole, consoleIsStale } from "../scripts/console-build.js";
import { createStaff, FAST_AUTH_ENV, signIn as signInApi, STRONG_PASSWORD } from "./support/accounts.js";
import { seedDebtors } from "./support/allocation.js";
import { buildTestApp, type TestApp } from "./support/app.js";
import { hasChromium, launchChromium, seriousA11yViolations } from "./support/browser.js";
import { daysAgo, type Headers } from "./support/crm.js";
import { seedHistory, teamOf } from "./support/supervisor.js";

const SHOTS = path.resolve(import.meta.dirname, "../docs/console");
const run = hasChromium || process.env.CI ? describe : describe.skip;

let t: TestApp;
let base: string;
let browser: Browser;
let adminEmail: string;
const sup = { email: "", id: "", name: "Sara Supervisor" };
const sup2 = { email: "", name: "Samir Supervisor" };
let agentEmail: string;
const teamAgents: { id: string; email: string; name: string }[] = [];
let team: { id: string; name: string };
const cspErrors: string[] = [];

const headersOf = async (email: string): Promise<Headers> => (await signInApi(t.app, email)).auth;
const inject = async (method: "GET" | "POST", url: string, email: string, payload?: object) =>
  t.app.inject({ method, url, headers: await headersOf(email), ...(payload ? { payload } : {}) });

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "en-GB" });
  const page = await ctx.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return page;
}

async function check(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  const violations = await seriousA11yViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signedInPage(email: string) {
  const page = await newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email or phone").fill(email);
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Find a customer" }).waitFor();
  return page;
}

const cell = (page: Page, table: string, agent: string, col: string) =>
  page.getByTestId(table).locator(`tr[data-agent="${agent}"] [data-col="${col}"]`).textContent();

run("supervisor console in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    if (consoleIsStale()) await buildConsole();
    t = await buildTestApp({
      ...FAST_AUTH_ENV,
      CALL_WINDOW: "00:00-24:00",
      NO_CALL_WEEKDAYS: "none",
      RATE_LIMIT_REFRESH_PER_IP: "100000",
    });
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
    adminEmail = (await createStaff(t.app, { role: "admin", name: "Ada Admin", phone: null })).email;
    const s = await createStaff(t.app, { role: "supervisor", name: sup.name, phone: null });
    Object.assign(sup, { email: s.email, id: s.user.id });
    sup2.email = (await createStaff(t.app, { role: "supervisor", name: sup2.name, phone: null })).email;
    agentEmail = (await createStaff(t.app, { role: "agent", name: "Amina Agent", phone: null })).email;
    for (const name of ["Bilal", "Chahinez", "Djamel", "Farida"]) {
      const a = await createStaff(t.app, { role: "agent", name: `${name} Agent`, phone: null });
      teamAgents.push({ id: a.user.id, email: a.email, name: a.user.name });
    }
    team = await teamOf(
      t.app,
      await headersOf(adminEmail),
      "Tlemcen team",
      sup.id,
      teamAgents.map((a) => a.id),
    );
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("an agent never sees the supervisor screens, and the API refuses them when forced", async () => {
    const page = await signedInPage(agentEmail);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "My list" }).waitFor();
    expect(await nav.getByRole("link", { name: "Live board" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Assignment" }).count()).toBe(0);
    await page.goto(`${base}/supervisor/assign`);
    await page.getByTestId("role-refused").waitFor();
    expect(await page.getByRole("heading", { name: "Assign customers" }).count()).toBe(0);
    await check(page, "20-supervisor-refused");
    for (const [method, url, body] of [
      ["GET", "/api/admin/claims"],
      ["GET", "/api/admin/assignments/summary"],
      ["GET", "/api/admin/stats/collections"],
      ["GET", "/api/admin/security/suspicious"],
      ["POST", "/api/admin/assignments?dryRun=true", { filter: {}, unassign: true }],
    ] as const) {
      const res = await inject(method, url, agentEmail, body);
      expect(res.statusCode, url).toBe(403);
    }
    await page.context().close();

    // A supervisor sees them.
    const supPage = await signedInPage(sup.email);
    await supPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Live board" }).click();
    await supPage.getByRole("heading", { name: "Live board" }).waitFor();
    await supPage.context().close();
  }, 60_000);

  it("live board: claims with agent, customer and time left, signed-in agents, refreshing by itself", async () => {
    const now = new Date();
    const [first, second] = await seedDebtors(t.app, now, 2, { city: "Board" });
    const page = await signedInPage(sup.email);
    await page.goto(`${base}/supervisor/board`);
    await page.getByTestId("claims").waitFor();
    expect(await page.getByTestId("claims").textContent()).not.toContain(first!.fullName);

    // Bilal takes a call while the board is open: it shows up without a reload.
    const bilal = await headersOf(teamAgents[0]!.email);
    const claim = await t.app.inject({
      method: "POST",
      url: "/api/crm/next-call",
      headers: bilal,
    });
    expect(claim.statusCode, claim.body).toBe(200);
    const held = claim.json().claim.customerId as string;
    const heldName = [first, second].find((c) => c!.id === held)?.fullName ?? held;
    const row = page.getByTestId("claims").locator("tr", { hasText: heldName });
    await row.waitFor({ timeout: 12_000 });
    expect(await row.textContent()).toContain("Bilal Agent");
    expect(await row.locator("td.num").textContent()).toMatch(/^\d+:\d\d$/);
    await expect
      .poll(() => page.getByTestId("agents-today").locator('tr[data-agent="Bilal Agent"]').textContent())
      .toContain("Signed in");
    expect(await page.getByTestId("agents-today").locator('tr[data-agent="Chahinez Agent"]').textContent()).toContain(
      "Not signed in",
    );
    await check(page, "21-live-board");
    await t.app.inject({
      method: "POST",
      url: `/api/crm/claims/${held}/release`,
      headers: bilal,
      payload: { reason: "skipped" },
    });
    await expect.poll(() => cell(page, "agents-today", "Bilal Agent", "skips"), { timeout: 12_000 }).toBe("1");
    await page.context().close();
  }, 60_000);

  it("assigns 1,000 filtered customers round robin to a team; the preview counts them and the summary shows the split", async () => {
    const now = new Date();
    await seedDebtors(t.app, now, 1000, { city: "Tlemcen", oldestDueDate: daysAgo(now, 45) });
    await seedDebtors(t.app, now, 30, { city: "Tlemcen", oldestDueDate: daysAgo(now, 5) });
    await seedDebtors(t.app, now, 40, { city: "Oran", oldestDueDate: daysAgo(now, 45) });
    const page = await signedInPage(sup.email);
    await page.goto(`${base}/supervisor/assign`);
    await page.getByRole("heading", { name: "Assign customers" }).waitFor();
    await page.getByLabel("Bucket").selectOption("31-60");
    await page.getByLabel("City").fill("Tlemcen");
    await page.getByLabel("Assign to").selectOption("team");
    await page.getByLabel("Team", { exact: true }).selectOption({ label: "Tlemcen team" });
    await page.getByLabel("How to share them").selectOption("round_robin");
    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.getByTestId("assign-preview");
    await preview.waitFor();
    const expected = await inject("POST", "/api/admin/assignments?dryRun=true", sup.email, {
      filter: { bucket: "31-60", city: "Tlemcen" },
      to: { teamId: team.id },
      strategy: "round_robin",
    });
    expect(expected.json().matched).toBe(1000);
    const total = expected
      .json()
      .owners.reduce((s: number, o: { totalOverdue: string }) => s + Number(o.totalOverdue), 0);
    const words = (await preview.textContent())!.replace(/\s/g, " ");
    expect(words).toContain("1000 customers owing");
    expect(words).toContain(
      new Intl.NumberFormat("en-GB", { style: "currency", currency: "DZD" }).format(total).replace(/\s/g, " "),
    );
    expect(await preview.locator("tbody tr").count()).toBe(4);
    await check(page, "22-assign-preview");

    await page.getByRole("button", { name: "Assign these 1000 customers" }).click();
    await page.getByText("Done: 1000 of 1000 customers changed owner").waitFor();
    for (const a of teamAgents) await expect.poll(() => cell(page, "agent-summary", a.name, "customers")).toBe("250");
    await check(page, "23-assign-done");
    const summary = (await inject("GET", "/api/admin/assignments/summary", sup.email)).json();
    for (const a of teamAgents)
      expect(summary.agents.find((x: { agentId: string }) => x.agentId === a.id).customers).toBe(250);
    await page.context().close();
  }, 120_000);

  it("dashboard: charts of seeded history whose plotted totals match the API; arrears by bucket; French labels", async () => {
    const now = new Date();
    const ids = teamAgents.slice(0, 3).map((a) => a.id);
    const seeded = await seedHistory(t.app, await headersOf(adminEmail), now, ids, 5);
    const page = await signedInPage(sup.email);
    await page.goto(`${base}/supervisor/dashboard`);
    await page.getByTestId("chart-daily-contacts").waitFor();
    const plotted = async (id: string) =>
      JSON.parse((await page.getByTestId(`chart-${id}`).getAttribute("data-plotted"))!) as {
        labels: string[];
        series: { label: string; values: number[] }[];
      };
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    // The period shown: the last 7 days of the centre, today included.
    const from = await page.getByLabel("From").inputValue();
    const to = await page.getByLabel("To (included)").inputValue();
    const startOf = (d: string) => new Date(`${d}T00:00:00+01:00`).toISOString();
    const next = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const api = (
      await inject("GET", `/api/admin/stats/collections?from=${startOf(from)}&to=${startOf(next)}`, sup.email)
    ).json();
    expect(api.totals.calls).toBeGreaterThanOrEqual(seeded.calls);

    const daily = await plotted("daily-contacts");
    expect(daily.labels).toHaveLength(7);
    expect(sum(daily.series[0]!.values)).toBe(api.totals.calls);
    expect(sum(daily.series[1]!.values)).toBe(api.totals.contacts);
    expect(sum(daily.series[2]!.values)).toBe(api.totals.rightPartyContacts);
    expect(sum((await plotted("daily-collected")).series[0]!.values)).toBeCloseTo(
      Number(api.totals.amountCollected),
      2,
    );
    expect(Number(api.totals.amountCollected)).toBe(seeded.collected);
    const promises = await plotted("daily-promises");
    expect(sum(promises.series[0]!.values)).toBeCloseTo(Number(api.totals.promisesMadeAmount), 2);
    expect(sum(promises.series[1]!.values)).toBeCloseTo(Number(api.totals.promisesKeptAmount), 2);
    expect(sum(promises.series[2]!.values)).toBeCloseTo(Number(api.totals.promisesBrokenAmount), 2);
    const perAgent = await plotted("agent-contacts");
    for (const a of api.byAgent as { agentName: string; calls: number }[])
      expect(perAgent.series[0]!.values[perAgent.labels.indexOf(a.agentName)]).toBe(a.calls);
    const arrears = await plotted("arrears");
    expect(arrears.labels).toEqual(["Current (not late)", "1-30 days", "31-60 days", "61-90 days", "90+ days"]);
    expect(arrears.series[0]!.values[2]).toBeGreaterThan(1000 * 1000);
    // The canvases are drawn (chart.js under the CSP, no inline style refused).
    expect(await page.locator("figure.chart canvas").count()).toBe(6);
    const width = await page
      .locator("figure.chart canvas")
      .first()
      .evaluate((c) => (c as unknown as { width: number }).width);
    expect(width).toBeGreaterThan(100);
    await check(page, "24-dashboard");

    await page.getByLabel("Language").selectOption("fr");
    await page.getByRole("heading", { name: "Tableau de bord du recouvrement" }).waitFor();
    await page.getByText("Appels et contacts par jour").first().waitFor();
    await check(page, "25-dashboard-fr");
    await page.context().close();
    expect(cspErrors).toEqual([]);
  }, 120_000);

  it("security findings are listed in words", async () => {
    // Failed sign-ins for one account from the same address: enough for a finding or an empty list.
    const page = await signedInPage(sup.email);
    await page.goto(`${base}/supervisor/security`);
    await page.getByTestId("findings").waitFor();
    const api = (await inject("GET", "/api/admin/security/suspicious?hours=24", sup.email)).json();
    expect(await page.getByTestId("findings").locator("caption").textContent()).toBe(
      `Findings (${api.findings.length})`,
    );
    await check(page, "26-security");
    await page.context().close();
  }, 60_000);
});
