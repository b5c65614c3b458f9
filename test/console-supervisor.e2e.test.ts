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
import { createStaff, FAST_AUTH_ENV, login, signIn as signInApi, STRONG_PASSWORD } from "./support/accounts.js";
import { seedDebtors } from "./support/allocation.js";
import { buildTestApp, type TestApp } from "./support/app.js";
import { hasChromium, launchChromium, seriousA11yViolations } from "./support/browser.js";
import { createCustomer, createLoan, daysAgo, type Headers } from "./support/crm.js";
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

  it("two supervisors edit one customer: the second sees who changed it and when, then overwrites; a payment is recorded", async () => {
    const admin = await headersOf(adminEmail);
    const c = await createCustomer(t.app, admin, { fullName: "Yasmine Conflict", city: "Oran" });
    await createLoan(t.app, admin, c.id, {
      loanNumber: "LN-SUP-1",
      amountOverdue: "8000.00",
      nextDueDate: daysAgo(new Date(), 20),
    });
    const a = await signedInPage(sup.email);
    await a.goto(`${base}/supervisor/customers`);
    await a.getByLabel("Phone, name or reference").fill("Yasmine");
    await a.getByRole("button", { name: "Search" }).click();
    await a.getByTestId("customer-list").getByRole("link", { name: "Yasmine Conflict" }).waitFor();
    await check(a, "27-customers");
    await a.getByTestId("customer-list").getByRole("link", { name: "Yasmine Conflict" }).click();
    await a.getByRole("heading", { name: "Edit Yasmine Conflict" }).waitFor();

    const b = await signedInPage(sup2.email);
    await b.goto(`${base}/supervisor/customers/${c.id}`);
    await b.getByRole("heading", { name: "Edit Yasmine Conflict" }).waitFor();

    await a.getByLabel("City").fill("Sétif");
    await a.getByRole("button", { name: "Save the customer" }).click();
    await a.getByText("Saved.").waitFor();

    await b.getByLabel("City").fill("Batna");
    await b.getByRole("button", { name: "Save the customer" }).click();
    const conflict = b.getByTestId("version-conflict");
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/Changed by Sara Supervisor at \d\d:\d\d since you opened it/);
    const row = conflict.locator("tbody tr", { hasText: "City" });
    expect(await row.locator("td").allTextContents()).toEqual(["Sétif", "Batna"]);
    await check(b, "28-version-conflict");
    await b.getByRole("button", { name: "Overwrite with mine" }).click();
    await b.getByText("Saved.").waitFor();
    const saved = (await inject("GET", `/api/customers/${c.id}`, sup.email)).json();
    expect(saved).toMatchObject({ city: "Batna", version: 3 });

    // The first supervisor, now stale, takes the other version instead.
    await a.getByLabel("Employer").fill("Sonatrach");
    await a.getByRole("button", { name: "Save the customer" }).click();
    await a
      .getByTestId("version-conflict")
      .getByText(/Changed by Samir Supervisor/)
      .waitFor();
    await a.getByRole("button", { name: "Reload" }).click();
    await expect.poll(() => a.getByLabel("City").inputValue()).toBe("Batna");
    expect(await a.getByLabel("Employer").inputValue()).toBe("");
    await a.context().close();

    // A payment on the loan: a field error first, then recorded.
    await b.getByRole("button", { name: "Record the payment" }).click();
    await b
      .locator(".field", { has: b.getByLabel("Amount (DZD)") })
      .locator("[data-field-error]")
      .waitFor();
    await b.getByLabel("Amount (DZD)").fill("1500");
    await b.getByRole("button", { name: "Record the payment" }).click();
    await b.getByText(/Payment of DZD\s?1,500.00 recorded/).waitFor();
    await check(b, "29-payment");
    const loans = (await inject("GET", `/api/customers/${c.id}/loans`, sup.email)).json().data;
    const paid = (await inject("GET", `/api/loans/${loans[0].id}/payments`, sup.email)).json().data;
    expect(paid.map((p: { amount: string }) => p.amount)).toEqual(["1500.00"]);
    await b.context().close();
  }, 120_000);

  it("imports a CSV: every row's problems listed by line and field, nothing written; then a valid file", async () => {
    const page = await signedInPage(sup.email);
    await page.goto(`${base}/supervisor/import`);
    const header =
      "externalRef,fullName,phone,city,loanNumber,productName,principal,termMonths,installmentAmount,amountOverdue";
    const bad = [
      header,
      "IMP-1,Nadia Import,0661 11 22 33,Blida,IMP-LN-1,Personal loan,100000,24,5000,10000",
      "IMP-2,Omar Import,12345,Blida,,,,,,",
      "IMP-3,,0662 44 55 66,Blida,IMP-LN-3,Personal loan,50000,0,2500,0",
    ].join("\n");
    const file = page.getByLabel("File to import");
    await file.setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.getByText("customers.csv: 3 customers read.").waitFor();
    await page.getByRole("button", { name: "Check the file" }).click();
    const errors = page.getByTestId("import-errors");
    await errors.waitFor();
    const rows: string[][] = [];
    for (const tr of await errors.locator("tbody tr").all()) rows.push(await tr.locator("td").allTextContents());
    // The schema's problems first (line 4: two of them); each by its CSV line and field.
    expect(rows).toEqual([
      ["4", "fullName", "is required"],
      ["4", "loans › 0 › termMonths", "must be >= 1"],
    ]);
    expect(await page.getByRole("button", { name: "Import", exact: true }).isDisabled()).toBe(true);
    await check(page, "30-import-errors");
    expect((await inject("GET", "/api/customers?q=IMP-1", sup.email)).json().data).toHaveLength(0);

    // Then the service's: a phone that is no phone number, on line 3.
    const badPhone = [header, bad.split("\n")[1], bad.split("\n")[2]].join("\n");
    await file.setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(badPhone) });
    await page.getByRole("button", { name: "Check the file" }).click();
    await expect
      .poll(() => errors.locator("tbody tr").first().locator("td").allTextContents())
      .toEqual(["3", "phone", expect.any(String)]);
    const good = [header, "IMP-1,Nadia Import,0661 11 22 33,Blida,IMP-LN-1,Personal loan,100000,24,5000,10000"].join(
      "\n",
    );
    await file.setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await page.getByRole("button", { name: "Check the file" }).click();
    await page.getByText("The file is valid: 1 customers would be created").waitFor();
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByText("Imported: 1 customers created").waitFor();
    const imported = (await inject("GET", "/api/customers?q=IMP-1", sup.email)).json().data;
    expect(imported.map((c: { fullName: string }) => c.fullName)).toEqual(["Nadia Import"]);
    await page.context().close();
  }, 60_000);

  it("security findings are listed in words", async () => {
    // One address failing on six accounts: credential stuffing.
    for (let i = 0; i < 6; i++) await login(t.app, `nobody-${i}@example.dz`, "wrong-password-123");
    const page = await signedInPage(sup.email);
    await page.goto(`${base}/supervisor/security`);
    await page.getByTestId("findings").waitFor();
    const api = (await inject("GET", "/api/admin/security/suspicious?hours=24", sup.email)).json();
    expect(await page.getByTestId("findings").locator("caption").textContent()).toBe(
      `Findings (${api.findings.length})`,
    );
    const row = page.getByTestId("findings").locator("tr", { hasText: "Many accounts tried from one address" });
    await row.waitFor();
    expect(await row.textContent()).toContain("High");
    await check(page, "26-security");
    await page.context().close();
  }, 60_000);

  it("previews an agent's worklist and a team's, in the API's order", async () => {
    const page = await signedInPage(sup.email);
    await page.goto(`${base}/supervisor/worklist`);
    await page.getByRole("heading", { name: "Worklist preview" }).waitFor();
    const names = () => page.getByTestId("worklist-preview").locator("tbody tr td:first-child").allTextContents();
    const apiNames = async (query: string) =>
      (await inject("GET", `/api/admin/worklist?${query}&limit=50`, sup.email))
        .json()
        .data.map((r: { fullName: string }) => r.fullName);
    const teamNames = await apiNames(`teamId=${team.id}`);
    expect(teamNames).toHaveLength(50);
    await expect.poll(names).toEqual(teamNames);
    await page.getByLabel("Whose worklist").selectOption({ label: "Bilal Agent" });
    const bilal = await apiNames(`agentId=${teamAgents[0]!.id}`);
    expect(bilal.length).toBeGreaterThan(0);
    await expect.poll(names).toEqual(bilal);
    await check(page, "31-worklist-preview");
    await page.context().close();
  }, 60_000);
});
