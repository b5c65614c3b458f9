/**
 * The supervisor's half of the console end to end (issue 17): role guard, live board, assignment,
 * collections dashboard, security findings and worklist previews, in Debian's headless Chromium against
 * the real server (customers, loans and import: console-supervisor-records.e2e.test.ts). Screenshots go
 * to docs/console/ (20-…).
 */
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { login } from "./support/accounts.js";
import { seedDebtors } from "./support/allocation.js";
import { daysAgo } from "./support/crm.js";
import { seedHistory } from "./support/supervisor.js";
import { runInChromium, useSupervisorConsole } from "./support/supervisor-console.js";

const cell = (page: Page, table: string, agent: string, col: string) =>
  page.getByTestId(table).locator(`tr[data-agent="${agent}"] [data-col="${col}"]`).textContent();

runInChromium("supervisor console in Chromium", () => {
  const ui = useSupervisorConsole();

  it("an agent never sees the supervisor screens, and the API refuses them when forced", async () => {
    const page = await ui.signedInPage(ui.agentEmail);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "My list" }).waitFor();
    expect(await nav.getByRole("link", { name: "Live board" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Assignment" }).count()).toBe(0);
    await page.goto(`${ui.base}/supervisor/assign`);
    await page.getByTestId("role-refused").waitFor();
    expect(await page.getByRole("heading", { name: "Assign customers" }).count()).toBe(0);
    await ui.check(page, "20-supervisor-refused");
    for (const [method, url, body] of [
      ["GET", "/api/admin/claims"],
      ["GET", "/api/admin/assignments/summary"],
      ["GET", "/api/admin/stats/collections"],
      ["GET", "/api/admin/security/suspicious"],
      ["POST", "/api/admin/assignments?dryRun=true", { filter: {}, unassign: true }],
    ] as const) {
      const res = await ui.inject(method, url, ui.agentEmail, body);
      expect(res.statusCode, url).toBe(403);
    }
    await page.context().close();

    // A supervisor sees them.
    const supPage = await ui.signedInPage(ui.sup.email);
    await supPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Live board" }).click();
    await supPage.getByRole("heading", { name: "Live board" }).waitFor();
    await supPage.context().close();
  }, 60_000);

  it("live board: claims with agent, customer and time left, signed-in agents, refreshing by itself", async () => {
    const now = new Date();
    const [first, second] = await seedDebtors(ui.t.app, now, 2, { city: "Board" });
    const page = await ui.signedInPage(ui.sup.email);
    await page.goto(`${ui.base}/supervisor/board`);
    await page.getByTestId("claims").waitFor();
    expect(await page.getByTestId("claims").textContent()).not.toContain(first!.fullName);

    // Bilal takes a call while the board is open: it shows up without a reload.
    const bilal = await ui.headersOf(ui.teamAgents[0]!.email);
    const claim = await ui.t.app.inject({
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
    await ui.check(page, "21-live-board");
    await ui.t.app.inject({
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
    await seedDebtors(ui.t.app, now, 1000, { city: "Tlemcen", oldestDueDate: daysAgo(now, 45) });
    await seedDebtors(ui.t.app, now, 30, { city: "Tlemcen", oldestDueDate: daysAgo(now, 5) });
    await seedDebtors(ui.t.app, now, 40, { city: "Oran", oldestDueDate: daysAgo(now, 45) });
    const page = await ui.signedInPage(ui.sup.email);
    await page.goto(`${ui.base}/supervisor/assign`);
    await page.getByRole("heading", { name: "Assign customers" }).waitFor();
    await page.getByLabel("Bucket").selectOption("31-60");
    await page.getByLabel("City").fill("Tlemcen");
    await page.getByLabel("Assign to").selectOption("team");
    await page.getByLabel("Team", { exact: true }).selectOption({ label: "Tlemcen team" });
    await page.getByLabel("How to share them").selectOption("round_robin");
    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.getByTestId("assign-preview");
    await preview.waitFor();
    const expected = await ui.inject("POST", "/api/admin/assignments?dryRun=true", ui.sup.email, {
      filter: { bucket: "31-60", city: "Tlemcen" },
      to: { teamId: ui.team.id },
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
    await ui.check(page, "22-assign-preview");

    await page.getByRole("button", { name: "Assign these 1000 customers" }).click();
    await page.getByText("Done: 1000 of 1000 customers changed owner").waitFor();
    for (const a of ui.teamAgents)
      await expect.poll(() => cell(page, "agent-summary", a.name, "customers")).toBe("250");
    await ui.check(page, "23-assign-done");
    const summary = (await ui.inject("GET", "/api/admin/assignments/summary", ui.sup.email)).json();
    for (const a of ui.teamAgents)
      expect(summary.agents.find((x: { agentId: string }) => x.agentId === a.id).customers).toBe(250);
    await page.context().close();
  }, 120_000);

  it("dashboard: charts of seeded history whose plotted totals match the API; arrears by bucket; French labels", async () => {
    const now = new Date();
    const ids = ui.teamAgents.slice(0, 3).map((a) => a.id);
    const seeded = await seedHistory(ui.t.app, await ui.headersOf(ui.adminEmail), now, ids, 5);
    const page = await ui.signedInPage(ui.sup.email);
    await page.goto(`${ui.base}/supervisor/dashboard`);
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
      await ui.inject("GET", `/api/admin/stats/collections?from=${startOf(from)}&to=${startOf(next)}`, ui.sup.email)
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
    // Money per agent as the API credits it (kept promise's creator, else assigned agent); it adds up.
    const collected = await plotted("agent-collected");
    const agentLabel = (a: { agentName: string | null }) =>
      a.agentName ?? "No agent (dialer calls, unattributed payments)";
    for (const a of api.byAgent as { agentName: string | null; amountCollected: string }[])
      expect(collected.series[0]!.values[collected.labels.indexOf(agentLabel(a))]).toBeCloseTo(
        Number(a.amountCollected),
        2,
      );
    expect(sum(collected.series[0]!.values)).toBeCloseTo(Number(api.totals.amountCollected), 2);
    expect(collected.series[0]!.values.some((v) => v > 0)).toBe(true);
    // The days plotted are the API's byDay, one request for the period.
    expect(daily.series[0]!.values).toEqual(api.byDay.map((d: { calls: number }) => d.calls));

    const arrears = await plotted("arrears");
    expect(arrears.labels).toEqual(["Current (not late)", "1-30 days", "31-60 days", "61-90 days", "90+ days"]);
    const buckets = (await ui.inject("GET", "/api/admin/stats/arrears", ui.sup.email)).json().buckets as {
      customers: number;
      loans: number;
      totalOverdue: string;
    }[];
    expect(arrears.series[0]!.values).toEqual(buckets.map((b) => Number(b.totalOverdue)));
    expect(arrears.series[0]!.values[2]).toBeGreaterThan(1000 * 1000);
    const counts = await page.getByTestId("arrears-counts").textContent();
    for (const b of buckets) expect(counts).toContain(`${b.customers} customers, ${b.loans} loans`);
    // The canvases are drawn (chart.js under the CSP, no inline style refused).
    expect(await page.locator("figure.chart canvas").count()).toBe(7);
    const width = await page
      .locator("figure.chart canvas")
      .first()
      .evaluate((c) => (c as unknown as { width: number }).width);
    expect(width).toBeGreaterThan(100);
    await ui.check(page, "24-dashboard");

    await page.getByLabel("Language").selectOption("fr");
    await page.getByRole("heading", { name: "Tableau de bord du recouvrement" }).waitFor();
    await page.getByText("Appels et contacts par jour").first().waitFor();
    await ui.check(page, "25-dashboard-fr");
    await page.context().close();
    expect(ui.cspErrors).toEqual([]);
  }, 120_000);

  it("security findings are listed in words", async () => {
    // One address failing on six accounts: credential stuffing.
    for (let i = 0; i < 6; i++) await login(ui.t.app, `nobody-${i}@example.dz`, "wrong-password-123");
    const page = await ui.signedInPage(ui.sup.email);
    await page.goto(`${ui.base}/supervisor/security`);
    await page.getByTestId("findings").waitFor();
    const api = (await ui.inject("GET", "/api/admin/security/suspicious?hours=24", ui.sup.email)).json();
    expect(await page.getByTestId("findings").locator("caption").textContent()).toBe(
      `Findings (${api.findings.length})`,
    );
    const row = page.getByTestId("findings").locator("tr", { hasText: "Many accounts tried from one address" });
    await row.waitFor();
    expect(await row.textContent()).toContain("High");
    await ui.check(page, "26-security");
    await page.context().close();
  }, 60_000);

  it("previews an agent's worklist and a team's, in the API's order", async () => {
    const page = await ui.signedInPage(ui.sup.email);
    await page.goto(`${ui.base}/supervisor/worklist`);
    await page.getByRole("heading", { name: "Worklist preview" }).waitFor();
    const names = () => page.getByTestId("worklist-preview").locator("tbody tr td:first-child").allTextContents();
    const apiNames = async (query: string) =>
      (await ui.inject("GET", `/api/admin/worklist?${query}&limit=50`, ui.sup.email))
        .json()
        .data.map((r: { fullName: string }) => r.fullName);
    const teamNames = await apiNames(`teamId=${ui.team.id}`);
    expect(teamNames).toHaveLength(50);
    await expect.poll(names).toEqual(teamNames);
    await page.getByLabel("Whose worklist").selectOption({ label: "Bilal Agent" });
    const bilal = await apiNames(`agentId=${ui.teamAgents[0]!.id}`);
    expect(bilal.length).toBeGreaterThan(0);
    await expect.poll(names).toEqual(bilal);
    await ui.check(page, "31-worklist-preview");
    await page.context().close();
  }, 60_000);
});
