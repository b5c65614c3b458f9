/**
 * The administrator's screens of the web console, end to end in Debian's headless Chromium against
 * the real server: role guards, users (lock → the agent's open console goes to sign-in), integration
 * keys (a dialer call with the new key), audit log and sign-in history (CSV of the filtered set),
 * reference data and the mail outbox. Screenshots go to docs/console/40-….
 */
import { mkdirSync, readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConsole, consoleIsStale } from "../scripts/console-build.js";
import { eq } from "drizzle-orm";
import { mailOutbox, users } from "../src/db/schema/index.js";
import { createStaff, FAST_AUTH_ENV, signIn as signInApi, STRONG_PASSWORD } from "./support/accounts.js";
import { buildTestApp, type TestApp } from "./support/app.js";
import { checkScreen, hasChromium, launchChromium, SCREENSHOTS } from "./support/browser.js";
import { createCustomer, createLoan, daysAgo } from "./support/crm.js";

// Without the browser the suite is skipped locally; CI installs it, so there it must run.
const run = hasChromium || process.env.CI ? describe : describe.skip;

let t: TestApp;
let base: string;
let browser: Browser;
let admin: { email: string; user: { id: string } };
let agent: { email: string; user: { id: string } };
let supervisor: { email: string };
const cspErrors: string[] = [];
const headersOf = async (email: string) => (await signInApi(t.app, email)).auth;

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-GB" });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await ctx.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return page;
}

async function signIn(page: Page, identifier: string) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email or phone").fill(identifier);
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Find a customer" }).waitFor();
}

/** One CSV line's cells (RFC 4180 quoting, as src/lib/csv.ts writes them). */
const csvCells = (line: string) =>
  [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) => m[1]?.replace(/""/g, '"') ?? m[2] ?? "");

const adminNav = (page: Page) => page.getByRole("navigation", { name: "Administration" });
const confirmDialog = (page: Page) => page.getByRole("dialog");

run("web console in Chromium: the administrator's screens", () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    if (consoleIsStale()) await buildConsole();
    t = await buildTestApp({ ...FAST_AUTH_ENV, CALL_WINDOW: "00:00-24:00", NO_CALL_WEEKDAYS: "none" });
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
    admin = await createStaff(t.app, { role: "admin", name: "Ada Admin", phone: null });
    agent = await createStaff(t.app, { role: "agent", name: "Amina Agent" });
    supervisor = await createStaff(t.app, { role: "supervisor", name: "Samir Supervisor" });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("shows admin screens to the admin role only; the API refuses them to others even when forced", async () => {
    for (const who of [agent, supervisor]) {
      const page = await newPage();
      await signIn(page, who.email);
      expect(await adminNav(page).count()).toBe(0);
      await page.goto(`${base}/admin/users`);
      await page.getByText("This page does not exist.").waitFor();
      expect(await page.getByRole("table").count()).toBe(0);
      const auth = await headersOf(who.email);
      for (const url of [
        "/api/admin/users",
        "/api/admin/api-keys",
        "/api/admin/audit-logs",
        "/api/admin/email-outbox",
      ]) {
        const res = await t.app.inject({ method: "GET", url, headers: auth });
        expect(res.statusCode, `${url} as a non-admin`).toBe(403);
      }
      await page.context().close();
    }
    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Users" }).waitFor();
    await page.context().close();
  }, 90_000);

  it("users: filters, creates, explains the last-admin rule, locks an agent whose open console goes to sign-in", async () => {
    const agentPage = await newPage();
    await signIn(agentPage, agent.email);

    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByRole("link", { name: "Amina Agent" }).waitFor();
    await checkScreen(page, "40-admin-users");

    await page.getByLabel("Role", { exact: true }).first().selectOption("agent");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const roles = page.getByTestId("users").locator("tbody tr td:nth-child(3)");
    await expect.poll(() => roles.allTextContents()).toEqual(["Agent"]);

    const created = page.getByRole("form", { name: "Create an account" });
    await created.getByLabel("Email").fill("nadia.new@example.dz");
    await created.getByLabel("Name").fill("Nadia New");
    await created.getByLabel("Role").selectOption("supervisor");
    await created.getByRole("button", { name: "Create the account" }).click();
    await page.getByText("Account created for Nadia New").waitFor();

    // The last active admin cannot be demoted: the refusal is explained in words, in the dialog.
    await page.goto(`${base}/admin/users/${admin.user.id}`);
    await page.getByRole("heading", { name: "Ada Admin" }).waitFor();
    await page.getByLabel("Role", { exact: true }).selectOption("agent");
    await page.getByRole("button", { name: "Change the role" }).click();
    await confirmDialog(page).getByRole("button", { name: "Change the role" }).click();
    await confirmDialog(page)
      .getByText(/this is the last active administrator/)
      .waitFor();
    await checkScreen(page, "41-admin-last-admin-refused");
    await confirmDialog(page).getByRole("button", { name: "Cancel" }).click();

    // The agent's page: a session, the activity; lock with a reason.
    await page.goto(`${base}/admin/users/${agent.user.id}`);
    await page.getByRole("heading", { name: "Amina Agent" }).waitFor();
    await expect.poll(() => page.getByTestId("sessions").locator("tbody tr").count()).toBeGreaterThanOrEqual(1);
    await page.getByTestId("activity").getByText("Sign-ins", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Lock", exact: true }).click();
    const dialog = confirmDialog(page);
    await dialog.getByRole("heading", { name: "Lock the account of Amina Agent?" }).waitFor();
    await dialog.getByLabel("Reason").fill("Left the desk with the session open");
    await checkScreen(page, "42-admin-lock-confirm");
    await dialog.getByRole("button", { name: "Lock" }).click();
    await page.getByText("Amina Agent is locked; their sessions are ended.").waitFor();
    await expect.poll(() => page.getByTestId("user-state").textContent()).toContain("Locked by an administrator");
    await page.getByText("No active session.").waitFor();
    await checkScreen(page, "43-admin-user");

    // The agent's open console: its next action sends it to sign-in with the reason.
    await agentPage.getByLabel("Phone, name or reference").fill("Karim");
    await agentPage.getByLabel("Phone, name or reference").press("Enter");
    await agentPage.getByText(/Your session has ended/).waitFor();
    expect(agentPage.url()).toContain("/sign-in");

    await page.getByRole("button", { name: "Unlock" }).click();
    await confirmDialog(page).getByLabel("Reason").fill("Talked it over");
    await confirmDialog(page).getByRole("button", { name: "Unlock" }).click();
    await page.getByText("Amina Agent is unlocked.").waitFor();
    await agentPage.context().close();
    await page.context().close();
  }, 120_000);

  it("users: ends one session after confirmation; that console goes to sign-in, the other goes on", async () => {
    const sami = await createStaff(t.app, { role: "agent", name: "Sami Sessions" });
    const consoles = [await newPage(), await newPage()];
    for (const c of consoles) await signIn(c, sami.email);
    const auth = await headersOf(admin.email);
    const sessions = async () =>
      (await t.app.inject({ method: "GET", url: `/api/admin/users/${sami.user.id}/sessions`, headers: auth })).json()
        .data as { id: string }[];
    expect(await sessions()).toHaveLength(2);

    const page = await newPage();
    await signIn(page, admin.email);
    await page.goto(`${base}/admin/users/${sami.user.id}`);
    await page.getByRole("heading", { name: "Sami Sessions" }).waitFor();
    const rows = page.getByTestId("sessions").locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    await rows.first().getByRole("button", { name: /^End/ }).click();
    await confirmDialog(page).getByRole("heading", { name: "End this session?" }).waitFor();
    await confirmDialog(page).getByRole("button", { name: "End", exact: true }).click();
    await page.getByText("Session ended.").waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await sessions()).toHaveLength(1);

    // Each console acts: exactly one is sent to sign-in.
    for (const c of consoles) {
      await c.getByLabel("Phone, name or reference").fill("Karim");
      await c.getByLabel("Phone, name or reference").press("Enter");
    }
    await expect
      .poll(async () => consoles.filter((c) => c.url().includes("/sign-in")).length, { timeout: 10_000 })
      .toBe(1);
    for (const c of [...consoles, page]) await c.context().close();
  }, 90_000);

  it("approves a pending self-registration with the role chosen", async () => {
    const pending = await createStaff(t.app, { role: "agent", name: "Paula Pending" });
    // As REGISTRATION=approval leaves a self-registered account: no approval yet.
    await t.app.database.db.update(users).set({ approvedAt: null }).where(eq(users.id, pending.user.id));
    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Status").selectOption("pending");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect
      .poll(() => page.getByTestId("users").locator("tbody tr td:first-child").allTextContents())
      .toEqual(["Paula Pending"]);
    await page.getByRole("link", { name: "Paula Pending" }).click();
    await page.getByLabel("Approve with the role").selectOption("supervisor");
    await page.getByRole("button", { name: "Approve" }).click();
    await confirmDialog(page).getByText("work as Supervisor").waitFor();
    await confirmDialog(page).getByRole("button", { name: "Approve" }).click();
    await page.getByText("Paula Pending is approved.").waitFor();
    await expect.poll(() => page.getByTestId("user-state").textContent()).not.toContain("Waiting for approval");
    const view = await t.app.inject({
      method: "GET",
      url: `/api/admin/users/${pending.user.id}`,
      headers: await headersOf(admin.email),
    });
    expect(view.json()).toMatchObject({ role: "supervisor", pendingApproval: false });
    await page.context().close();
  }, 60_000);

  it("pages through the users with the cursor, forth and back, the filter kept", async () => {
    for (let i = 0; i < 27; i++)
      await createStaff(t.app, { role: "agent", name: `Pager ${String(i).padStart(2, "0")}` });
    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Name, email or phone").fill("Pager");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const names = page.getByTestId("users").locator("tbody tr td:first-child");
    const seen = async () => (await names.allTextContents()).filter((n) => n.startsWith("Pager")).length;
    await expect.poll(seen).toBe(25);
    const first = await names.allTextContents();
    expect(await page.getByRole("button", { name: "Previous page" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText("Page 2").waitFor();
    await expect.poll(seen).toBe(2);
    const second = await names.allTextContents();
    expect(new Set([...first, ...second]).size).toBe(27);
    expect(await page.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Previous page" }).click();
    await expect.poll(() => names.allTextContents()).toEqual(first);
    await page.context().close();
  }, 60_000);

  it("integration keys: the key is shown once with a copy button; a dialer call with it succeeds; revoked, it fails", async () => {
    const customer = await createCustomer(t.app, await headersOf(admin.email), { fullName: "Djamel Dialer" });
    await createLoan(t.app, await headersOf(admin.email), customer.id, {
      amountOverdue: "25000.00",
      nextDueDate: daysAgo(new Date(), 40),
      missedInstallments: 2,
      collectionStatus: "in_collection",
      paymentStatus: "overdue",
    });
    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Integration keys" }).click();
    await page.getByRole("heading", { name: "Integration keys" }).waitFor();
    await page.getByLabel("Name").fill("Dialer A (Oran site)");
    await page.getByRole("checkbox", { name: /worklist:claim/ }).check();
    await page.getByRole("button", { name: "Create the key" }).click();
    const key = (await page.getByTestId("new-key-value").textContent())!;
    await page.getByRole("button", { name: "Copy the key" }).click();
    await page.getByText("Copied.").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(key);
    await page.getByRole("cell", { name: "Dialer A (Oran site)", exact: true }).waitFor();
    await checkScreen(page, "44-admin-keys");

    const claim = () =>
      fetch(`${base}/api/crm/claims`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ count: 5 }),
      });
    const ok = await claim();
    expect(ok.status).toBe(200);
    const batch = (await ok.json()) as { claims: { customerId: string }[] };
    expect(batch.claims.map((c) => c.customerId)).toContain(customer.id);

    await page.getByRole("button", { name: "Revoke Dialer A (Oran site)" }).click();
    await confirmDialog(page).getByRole("button", { name: "Revoke" }).click();
    await page.getByText(/^Revoked /).waitFor();
    const refused = await claim();
    expect(refused.status).toBe(401);
    await page.context().close();
  }, 90_000);

  it("audit log: filters, shows an entry's JSON, downloads the filtered set as CSV; sign-in history", async () => {
    const auth = await headersOf(admin.email);
    for (const name of ["Lotfi One", "Lamia Two"]) {
      const someone = await createStaff(t.app, { role: "agent", name });
      await t.app.inject({
        method: "POST",
        url: `/api/admin/users/${someone.user.id}/lock`,
        headers: auth,
        payload: { reason: `audit test ${name}` },
      });
    }
    await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { emailOrPhone: agent.email, password: "not-the-password" },
    });
    const expected = await t.app.inject({
      method: "GET",
      url: "/api/admin/audit-logs?action=user.locked",
      headers: auth,
    });
    const expectedIds = expected.json().data.map((r: { id: number }) => String(r.id));
    expect(expectedIds.length).toBeGreaterThanOrEqual(2);

    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await page.getByLabel("Action").fill("user.locked");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const actions = page.getByTestId("audit").locator("tbody tr td:nth-child(3)");
    await expect.poll(() => actions.allTextContents()).toEqual(expectedIds.map(() => "user.locked"));
    await page.getByTestId("audit").getByRole("button", { name: "Show" }).first().click();
    await expect.poll(() => page.getByTestId("audit-json").textContent()).toContain('"reason"');
    await checkScreen(page, "45-admin-audit");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("audit-logs.csv");
    const lines = readFileSync((await download.path())!, "utf8")
      .trim()
      .split(/\r?\n/);
    expect(csvCells(lines[0]!).slice(0, 5)).toEqual(["id", "created_at", "actor_type", "actor_id", "action"]);
    const rows = lines.slice(1).map(csvCells);
    expect(rows.map((r) => r[0])).toEqual(expectedIds);
    expect(new Set(rows.map((r) => r[4]))).toEqual(new Set(["user.locked"]));
    expect(JSON.parse(rows[0]![9]!)).toHaveProperty("reason");

    // Refused or failed entries only: the wrong password typed for the agent among them; the CSV follows.
    const failed = (
      await t.app.inject({ method: "GET", url: "/api/admin/audit-logs?action=auth.*&success=false", headers: auth })
    ).json().data as { id: number; action: string }[];
    expect(failed.map((r) => r.action)).toContain("auth.login_failed");
    await page.getByLabel("Action").fill("auth.*");
    await page.getByLabel("Outcome").selectOption("false");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(() => actions.allTextContents()).toEqual(failed.map((r) => `${r.action} Refused or failed`));
    const [failedCsv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    const failedRows = readFileSync((await failedCsv.path())!, "utf8")
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map(csvCells);
    expect(failedRows.map((r) => r[0])).toEqual(failed.map((r) => String(r.id)));
    expect(new Set(failedRows.map((r) => r[10]))).toEqual(new Set(["false"]));

    await page.getByRole("link", { name: "Sign-in history" }).click();
    await page.getByRole("heading", { name: "Sign-in history" }).waitFor();
    await page.getByLabel("Outcome").selectOption("false");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const signIns = page.getByTestId("sign-ins").locator("tbody tr");
    // Once the filter applies, every row is a refusal, the wrong password typed for the agent among them.
    await expect
      .poll(async () => (await signIns.locator("td:nth-child(4)").allTextContents()).every((x) => /^Refused/.test(x)))
      .toBe(true);
    await signIns.filter({ hasText: agent.email }).filter({ hasText: "Refused: wrong password" }).first().waitFor();
    await checkScreen(page, "46-admin-sign-ins");
    await page.context().close();
  }, 90_000);

  it("reference data: prefixes, dispositions, teams (create, rename, members in and out), in English and French", async () => {
    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Reference data" }).click();
    await page.getByRole("heading", { name: "Reference data" }).waitFor();
    await page.getByLabel("Prefix", { exact: true }).fill("+2136999");
    await page.getByLabel("Description").fill("Test range");
    await page.getByRole("button", { name: "Add the prefix" }).click();
    await page.getByRole("cell", { name: "+2136999", exact: true }).waitFor();
    await page.getByRole("button", { name: "Disable +2136999" }).click();
    await confirmDialog(page).getByRole("button", { name: "Disable" }).click();
    await page.getByRole("button", { name: "Enable +2136999" }).waitFor();
    await page.getByRole("button", { name: "Remove +2136999" }).click();
    await confirmDialog(page).getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "+2136999", exact: true }).count()).toBe(0);
    await expect.poll(() => page.getByTestId("dispositions").locator("tbody tr").count()).toBeGreaterThan(3);
    // A centre adds its own outcome, which the agents' picker lists until it is retired.
    const outcome = page.getByRole("form", { name: "Add the outcome" });
    await outcome.getByLabel("Code").fill("third_party_message");
    await outcome.getByLabel("Label").fill("Message left with a relative");
    await outcome.getByLabel("Counts as").selectOption("contact");
    await outcome.getByRole("button", { name: "Add the outcome" }).click();
    await page.getByRole("button", { name: "Retire third_party_message" }).waitFor();
    const picker = async () =>
      (await t.app.inject({ method: "GET", url: "/api/crm/dispositions", headers: await headersOf(admin.email) }))
        .json()
        .data.map((d: { code: string }) => d.code);
    expect(await picker()).toContain("third_party_message");
    await page.getByRole("button", { name: "Retire third_party_message" }).click();
    await confirmDialog(page).getByRole("button", { name: "Retire" }).click();
    await page.getByRole("button", { name: "Restore third_party_message" }).waitFor();
    expect(await picker()).not.toContain("third_party_message");

    await page.getByLabel("Team name").fill("Oran A");
    await page.getByRole("button", { name: "Create the team" }).click();
    const team = page.getByTestId("team-Oran A");
    await team.getByLabel("Add a member to Oran A").selectOption({ label: "Amina Agent" });
    await team.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByTestId("team-Oran A").getByRole("button", { name: "Take Amina Agent out" }).waitFor();
    await page.getByLabel("New name for Oran A").fill("Oran East");
    await page.getByRole("button", { name: "Rename", exact: true }).click();
    const renamed = page.getByTestId("team-Oran East");
    await renamed.getByRole("button", { name: "Take Amina Agent out" }).waitFor();
    await checkScreen(page, "47-admin-reference");
    await renamed.getByRole("button", { name: "Take Amina Agent out" }).click();
    await confirmDialog(page).getByRole("button", { name: "Remove" }).click();
    await renamed.getByText("No members.").waitFor();

    await page.getByLabel("Language").selectOption("fr");
    await page.getByRole("heading", { name: "Référentiels" }).waitFor();
    await page.getByRole("heading", { name: "Préfixes téléphoniques Mobilis" }).waitFor();
    await adminNav(page).waitFor();
    await page.getByRole("link", { name: "Utilisateurs" }).click();
    await page.getByRole("heading", { name: "Utilisateurs" }).waitFor();
    await checkScreen(page, "49-admin-users-fr");
    await page.context().close();
  }, 90_000);

  it("mail outbox: delivery status, and a failure with its fix", async () => {
    await t.app.database.db.insert(mailOutbox).values({
      kind: "password_reset_code",
      toAddress: "someone@example.dz",
      subject: "Your password reset code",
      status: "failed",
      attempts: 5,
      errorCategory: "SMTP_AUTH_REJECTED",
      lastError: "535 5.7.8 Authentication credentials invalid",
    });
    const page = await newPage();
    await signIn(page, admin.email);
    await adminNav(page).getByRole("link", { name: "Mail outbox" }).click();
    await page.getByRole("heading", { name: "Mail outbox" }).waitFor();
    await page.getByLabel("Delivery status").selectOption("failed");
    await page.getByRole("cell", { name: "someone@example.dz" }).waitFor();
    await expect.poll(() => page.getByTestId("outbox-fixes").textContent()).toContain("SMTP_AUTH_REJECTED");
    await checkScreen(page, "48-admin-mail");
    await page.context().close();
  }, 60_000);

  it("ran under the CSP with no violation", () => {
    expect(cspErrors).toEqual([]);
  });
});
