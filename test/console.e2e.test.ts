/**
 * The web console end to end: the built console served by the real server (on PostgreSQL when
 * TEST_DATABASE_URL is set), driven in Debian's headless Chromium. Screenshots of each screen go to
 * docs/console/ (shown in the README).
 */
import { mkdirSync } from "node:fs";
import { eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConsole, consoleIsStale } from "../scripts/console-build.js";
import { auditLogs } from "../src/db/schema/index.js";
import type { Clock } from "../src/lib/clock.js";
import { createStaff, FAST_AUTH_ENV, signIn as signInApi, STRONG_PASSWORD } from "./support/accounts.js";
import { buildTestApp, type TestApp } from "./support/app.js";
import { checkScreen, hasChromium, launchChromium, SCREENSHOTS, timeNextCallClick } from "./support/browser.js";
import { createCustomer, createLoan, daysAgo, staffSessions } from "./support/crm.js";

// Without the browser the suite is skipped locally; CI installs it, so there it must run.
const run = hasChromium || process.env.CI ? describe : describe.skip;

/**
 * Time that flows from a fixed start (a Tuesday, 10:30 in Algiers, so screenshots do not change from
 * run to run) and that a test can push forward: tokens expire on the server as if minutes went by.
 */
function drivenClock(start: Date): Clock & { advance(ms: number): void } {
  let offset = start.getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
}

const clock = drivenClock(new Date("2026-03-03T09:30:00Z"));
let t: TestApp;
let base: string;
let browser: Browser;
let adminEmail: string;
/**
 * A fresh admin token for each API call the test makes: tokens live 30 s here (and the two-tab test
 * pushes the server's clock), so one taken in beforeAll may have expired by the time it is used.
 */
const adminHeaders = async () => (await signInApi(t.app, adminEmail)).auth;
let agent: { email: string };
let customer: { id: string; phone: string; fullName: string; externalRef: string };
const cspErrors: string[] = [];

const dayOffset = (days: number) => daysAgo(clock.now(), -days);
/** A customer owing `overdue` DZD for `days` days (worklist order: days past due × amount overdue). */
async function owingCustomer(
  app: TestApp["app"],
  headers: Record<string, string>,
  fullName: string,
  overdue: string,
  days: number,
) {
  const c = await createCustomer(app, headers, { fullName });
  await createLoan(app, headers, c.id, {
    amountOverdue: overdue,
    nextDueDate: daysAgo(clock.now(), days),
    missedInstallments: Math.ceil(days / 30),
    collectionStatus: "in_collection",
    paymentStatus: "overdue",
  });
  return c;
}

const localFormat = (e164: string) => `0${e164.slice(4, 7)} ${e164.slice(7, 9)} ${e164.slice(9, 11)} ${e164.slice(11)}`;

async function newPage(context?: BrowserContext): Promise<Page> {
  let ctx = context;
  if (!ctx) {
    ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-GB" });
    // The browser's clock runs with the server's (a call's startedAt comes from the browser).
    await ctx.clock.install({ time: clock.now() });
  }
  const page = await ctx.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return page;
}

async function signIn(page: Page, identifier: string, password = STRONG_PASSWORD, at = base) {
  await page.goto(`${at}/sign-in`);
  await page.getByLabel("Email or phone").fill(identifier);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

run("web console in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    if (consoleIsStale()) await buildConsole();
    t = await buildTestApp(
      {
        ...FAST_AUTH_ENV,
        ACCESS_TOKEN_TTL_SECONDS: "30",
        CALL_WINDOW: "00:00-24:00",
        NO_CALL_WEEKDAYS: "none",
        RATE_LIMIT_REFRESH_PER_IP: "100000",
      },
      { clock },
    );
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
    adminEmail = (await createStaff(t.app, { role: "admin", name: "Ada Admin", phone: null })).email;
    agent = await createStaff(t.app, { role: "agent", name: "Amina Agent" });
    customer = await createCustomer(t.app, await adminHeaders(), {
      fullName: "Karim Benali",
      phone: "+213661234567",
      externalRef: "CUST-2026-0042",
      city: "Oran",
      preferredLanguage: "fr",
      notes: "Prefers calls after 10:00",
    });
    await createLoan(t.app, await adminHeaders(), customer.id, {
      loanNumber: "LN-E2E-1",
      amountOverdue: "16500.00",
      nextDueDate: daysAgo(clock.now(), 47),
      missedInstallments: 3,
      collectionStatus: "in_collection",
      paymentStatus: "overdue",
    });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("signs in, finds a customer by phone in another format, shows the pre-call, validates and records a promise once", async () => {
    const page = await newPage();
    await page.goto(base);
    await expect.poll(() => page.url()).toContain("/sign-in");
    await checkScreen(page, "01-sign-in");

    await signIn(page, agent.email);
    await page.getByRole("heading", { name: "Find a customer" }).waitFor();
    const searchBox = page.getByLabel("Phone, name or reference");
    // Keyboard only: type, Enter.
    await searchBox.fill(localFormat(customer.phone));
    await searchBox.press("Enter");
    await page.getByRole("link", { name: "Karim Benali" }).waitFor();
    await checkScreen(page, "02-search");

    await page.getByRole("link", { name: "Karim Benali" }).click();
    await page.getByRole("heading", { name: "Karim Benali" }).waitFor();
    await page.getByText("LN-E2E-1").first().waitFor();
    await checkScreen(page, "03-customer");

    await page
      .getByRole("link", { name: `Call ${customer.phone}` })
      .first()
      .click();
    await page.getByRole("heading", { name: /Before the call/ }).waitFor();
    await expect.poll(() => page.getByTestId("eligibility").textContent()).toContain("can be called now");
    await checkScreen(page, "04-pre-call");

    // A validation error from the API appears next to its field.
    await page.getByLabel("Outcome").selectOption("promise_to_pay");
    await page.getByLabel("Promised amount (DZD)").fill("5000");
    await page.getByLabel("Promised payment date").fill(dayOffset(90));
    await page.getByLabel("Notes").fill("Will pay at the agency");
    await page.getByRole("button", { name: "Save the call" }).click();
    const dateField = page.locator(".field", { has: page.getByLabel("Promised payment date") });
    await expect.poll(() => dateField.locator("[data-field-error]").textContent()).toMatch(/must be between/);
    expect(await page.getByLabel("Promised payment date").getAttribute("aria-invalid")).toBe("true");
    await checkScreen(page, "05-post-call-validation");

    // A double click records one interaction (one callId per form).
    await page.getByLabel("Promised payment date").fill(dayOffset(5));
    await page.getByRole("button", { name: "Save the call" }).dblclick();
    await page.getByText("Call recorded.").waitFor();
    await expect.poll(() => page.getByTestId("promises").textContent()).toContain("Pending");
    await checkScreen(page, "06-promise-recorded");

    const list = await t.app.inject({
      method: "GET",
      url: `/api/customers/${customer.id}/interactions`,
      headers: await adminHeaders(),
    });
    expect(list.json().data.filter((i: { disposition: string }) => i.disposition === "promise_to_pay")).toHaveLength(1);
    const promises = await t.app.inject({
      method: "GET",
      url: `/api/loans/${list.json().data[0].loanId}/promises`,
      headers: await adminHeaders(),
    });
    expect(promises.json().data.map((p: { status: string }) => p.status)).toEqual(["pending"]);

    // The customer record shows the same promise and the call in the timeline.
    await page.getByRole("link", { name: "Customer record" }).click();
    await expect.poll(() => page.getByTestId("timeline").textContent()).toContain("Promise to pay");
    await expect.poll(() => page.getByTestId("promises").textContent()).toContain("Pending");

    // French labels when French is chosen; remembered after a reload (the session survives it too).
    await page.getByLabel("Language").selectOption("fr");
    await page
      .getByRole("heading", { name: "Promesses de paiement" })
      .or(page.getByText("Promesses de paiement"))
      .first()
      .waitFor();
    await page.reload();
    await page.getByText("Historique des contacts").waitFor();
    await page
      .getByRole("link", { name: `Appeler le ${customer.phone}` })
      .first()
      .click();
    await page.getByRole("heading", { name: /Avant l'appel/ }).waitFor();
    await page.getByLabel("Résultat").waitFor();
    expect(await page.getByRole("button", { name: "Enregistrer l'appel" }).count()).toBe(1);
    await checkScreen(page, "07-pre-call-fr");
    await page.context().close();
  }, 120_000);

  it("next call: claims the best customer, records a promise (off my list), save and next call, skip, Alt+N", async () => {
    const lina = await owingCustomer(t.app, await adminHeaders(), "Lina Haddad", "90000.00", 80);
    const sofiane = await owingCustomer(t.app, await adminHeaders(), "Sofiane Meziane", "40000.00", 40);
    await owingCustomer(t.app, await adminHeaders(), "Yacine Brahimi", "10000.00", 10);
    const page = await newPage();
    await signIn(page, agent.email);
    await page.getByRole("heading", { name: "Find a customer" }).waitFor();

    // My list: what next call would give this agent, best first (Karim has a promise pending).
    await page.getByRole("link", { name: "My list" }).click();
    const worklist = page.getByTestId("worklist");
    await expect.poll(() => worklist.textContent()).toContain("Yacine Brahimi");
    const names = await worklist.locator("tbody tr td:first-child").allTextContents();
    expect(names).toEqual(["Lina Haddad", "Sofiane Meziane", "Yacine Brahimi"]);
    await checkScreen(page, "11-my-list");

    await page.getByRole("navigation").getByRole("link", { name: "Next call" }).click();
    await page.getByRole("heading", { name: "Next call" }).waitFor();
    await checkScreen(page, "12-next-call");
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/crm/next-call"));
    const ms = await timeNextCallClick(page);
    const request = (await answer).request().timing();
    console.log(
      `next call → pre-call screen rendered: ${ms.toFixed(0)} ms (of which the request, sent → answer read: ${Math.round(request.responseEnd)} ms)`,
    );
    expect(ms).toBeLessThan(2000);
    await page.getByRole("heading", { name: "Before the call: Lina Haddad" }).waitFor();
    // The claim's remaining time, counting down from the lease (CLAIM_LEASE_SECONDS, 600 by default).
    await expect
      .poll(() => page.getByTestId("claim-timer").textContent())
      .toMatch(/^Held for you: (10:00|9:\d\d) left$/);
    await checkScreen(page, "13-next-call-pre-call");

    // A promise, saved: the claim is released, the promise shows as pending, Lina leaves the list.
    await page.getByLabel("Outcome").selectOption("promise_to_pay");
    await page.getByLabel("Promised amount (DZD)").fill("20000");
    await page.getByLabel("Promised payment date").fill(dayOffset(7));
    await page.getByRole("button", { name: "Save the call" }).click();
    await page.getByText("Call recorded.", { exact: true }).waitFor();
    await page.getByText("Call recorded: this customer is released.").waitFor();
    await expect.poll(() => page.getByTestId("promises").textContent()).toContain("Pending");
    await page.getByRole("link", { name: "My list" }).click();
    await expect
      .poll(() => worklist.locator("tbody tr td:first-child").allTextContents())
      .toEqual(["Sofiane Meziane", "Yacine Brahimi"]);

    // The shortcut, from another screen: Alt+N claims the next one.
    const second = page.waitForResponse((r) => r.url().endsWith("/api/crm/next-call"));
    const pressed = Date.now();
    await page.keyboard.press("Alt+n");
    await page.getByRole("heading", { name: "Before the call: Sofiane Meziane" }).waitFor();
    console.log(
      `Alt+N → pre-call: ${Date.now() - pressed} ms seen from the test (the request: ${Math.round((await second).request().timing().responseEnd)} ms)`,
    );
    expect(page.url()).toContain("/next-call");
    // Keyboard: the pre-call heading has the focus; the form is filled and "save and next call" pressed with Enter.
    await expect.poll(() => page.evaluate("document.activeElement && document.activeElement.id")).toBe("precall-title");
    await page.getByLabel("Outcome").selectOption("promise_to_pay");
    await page.getByLabel("Promised amount (DZD)").fill("8000");
    await page.getByLabel("Promised payment date").fill(dayOffset(3));
    await page.getByRole("button", { name: "Save and next call" }).press("Enter");
    await page.getByRole("heading", { name: "Before the call: Yacine Brahimi" }).waitFor();
    const sofianeLoans = await t.app.inject({
      method: "GET",
      url: `/api/customers/${sofiane.id}`,
      headers: await adminHeaders(),
    });
    const sofianePromises = await t.app.inject({
      method: "GET",
      url: `/api/loans/${sofianeLoans.json().loans[0].id}/promises`,
      headers: await adminHeaders(),
    });
    expect(sofianePromises.json().data.map((p: { status: string }) => p.status)).toEqual(["pending"]);

    // Skip: the claim is released through the release route (audited as claim.skipped).
    await page.getByRole("button", { name: "Skip this customer" }).click();
    await page.getByText("Yacine Brahimi skipped.").waitFor();
    const skips = await t.app.database.db.select().from(auditLogs).where(eq(auditLogs.action, "claim.skipped"));
    expect(skips).toHaveLength(1);
    const linaDetail = await t.app.inject({
      method: "GET",
      url: `/api/customers/${lina.id}/interactions`,
      headers: await adminHeaders(),
    });
    expect(linaDetail.json().data.map((i: { disposition: string }) => i.disposition)).toEqual(["promise_to_pay"]);
    await page.context().close();
  }, 90_000);

  it("says in words why nobody can be called (a fresh portfolio outside the call window)", async () => {
    // Its own server: the window is 08:00-09:00 and the clock says 10:30 in Algiers.
    const quiet = await buildTestApp(
      { ...FAST_AUTH_ENV, CALL_WINDOW: "08:00-09:00", NO_CALL_WEEKDAYS: "none" },
      { clock },
    );
    try {
      const at = await quiet.app.listen({ port: 0, host: "127.0.0.1" });
      const staff = await staffSessions(quiet.app);
      const omar = await createStaff(quiet.app, { role: "agent", name: "Omar Outside" });
      for (const [name, days] of [
        ["Walid Kaci", 20],
        ["Nour Saadi", 35],
        ["Rym Belkacem", 70],
      ] as const) {
        await owingCustomer(quiet.app, staff.admin.headers, name, "12000.00", days);
      }
      const page = await newPage();
      await signIn(page, omar.email, STRONG_PASSWORD, at);
      await page.getByRole("heading", { name: "Find a customer" }).waitFor();
      await page.getByRole("navigation").getByRole("link", { name: "Next call" }).click();
      await page.getByRole("button", { name: "Next call" }).click();
      await page.getByRole("heading", { name: "Nobody to call now" }).waitFor();
      await expect
        .poll(() => page.getByTestId("next-call-summary").textContent())
        .toBe("3 owe money; 3 outside the call window; callable again from Wed 4 Mar, 08:00.");
      await checkScreen(page, "14-nothing-callable");
      await page.context().close();
    } finally {
      await quiet.close();
    }
  }, 60_000);

  it("forces a password change at first sign-in, resets a password by emailed code, says why a sign-in is refused", async () => {
    const email = `new-agent-${Date.now()}@example.dz`;
    const created = await t.app.inject({
      method: "POST",
      url: "/api/admin/users",
      headers: await adminHeaders(),
      payload: { email, name: "Nadia New", role: "agent", initialPassword: "Initial-Secret-Pass-77" },
    });
    expect(created.statusCode).toBe(201);
    const page = await newPage();
    await signIn(page, email, "Initial-Secret-Pass-77");
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await checkScreen(page, "08-change-password");
    await page.getByLabel("Current password").fill("Initial-Secret-Pass-77");
    await page.getByLabel("New password", { exact: true }).fill("Nadia-Own-Passphrase-2026");
    await page.getByLabel("Repeat the new password").fill("Nadia-Own-Passphrase-2026");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("heading", { name: "Find a customer" }).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    // Forgot password through the emailed code (read from the development outbox).
    const resetter = await createStaff(t.app, { role: "agent", name: "Rania Reset" });
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    await checkScreen(page, "09-forgot-password");
    await page.getByLabel("Email").fill(resetter.email);
    await page.getByLabel("Phone").fill(resetter.user.phone!);
    await page.getByRole("button", { name: "Send the code" }).click();
    await page.getByLabel("6-digit code").waitFor();
    const outbox = await t.app.inject({ method: "GET", url: "/api/dev/outbox" });
    const mail = outbox.json().data.find((m: { to: string }) => m.to.includes(resetter.email));
    const code = String(mail.text).match(/\b(\d{6})\b/)![1]!;
    await page.getByLabel("6-digit code").fill(code === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "Check the code" }).click();
    await page.getByText(/The code is not correct/).waitFor();
    await page.getByLabel("6-digit code").fill(code);
    await page.getByRole("button", { name: "Check the code" }).click();
    await page.getByLabel("New password").fill("Rania-Fresh-Passphrase-31");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.getByText("Password updated. Sign in with the new one.").waitFor();
    await signIn(page, resetter.email, "Rania-Fresh-Passphrase-31");
    await page.getByRole("heading", { name: "Find a customer" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();

    // Clear messages for a disabled account.
    await t.app.inject({
      method: "POST",
      url: `/api/admin/users/${resetter.user.id}/deactivate`,
      headers: await adminHeaders(),
      payload: { reason: "left" },
    });
    await signIn(page, resetter.email, "Rania-Fresh-Passphrase-31");
    await page.getByText("This account is disabled. Contact an administrator.").waitFor();
    await page.goto(`${base}/verify-email`);
    await page.getByRole("heading", { name: "Verify your email address" }).waitFor();
    await checkScreen(page, "10-verify-email");

    // Clear messages on refusals: wrong password.
    await signIn(page, email, "not-the-password");
    await page.getByText("Wrong email, phone or password.").waitFor();
    await page.context().close();
  }, 90_000);

  it("keeps two tabs signed in while access tokens expire every 30 s, with no refresh-token reuse", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const tabs = [await newPage(context), await newPage(context)];
    await signIn(tabs[0]!, agent.email);
    await tabs[0]!.getByRole("heading", { name: "Find a customer" }).waitFor();
    await tabs[1]!.goto(`${base}/search`);
    await tabs[1]!.getByRole("heading", { name: "Find a customer" }).waitFor();

    let refreshes = 0;
    for (const tab of tabs)
      tab.on("response", (r) => r.url().endsWith("/api/auth/refresh") && r.status() === 200 && refreshes++);

    // ~40 s of real use in both tabs; every 3 s the server's clock jumps 31 s, so each tab's token
    // has expired on the server at every step: about 7 minutes of tokens in all.
    const until = Date.now() + 40_000;
    let round = 0;
    while (Date.now() < until) {
      clock.advance(31_000);
      round += 1;
      await Promise.all(
        tabs.map(async (tab, i) => {
          const box = tab.getByLabel("Phone, name or reference");
          await box.fill(
            [
              ["Karim", "Benali"],
              [customer.externalRef, localFormat(customer.phone)],
            ][i]![round % 2]!,
          );
          // The first answer is usually a 401 (the token expired on the server); the retry after the refresh is the 200.
          await Promise.all([
            tab.waitForResponse((r) => r.url().includes("/api/customers?") && r.status() === 200, { timeout: 10_000 }),
            box.press("Enter"),
          ]);
          await tab.getByRole("link", { name: "Karim Benali" }).waitFor({ timeout: 10_000 });
          await tab.getByLabel("Phone, name or reference").fill("");
        }),
      );
      await new Promise((r) => setTimeout(r, 3_000));
    }
    for (const tab of tabs) {
      expect(tab.url()).not.toContain("/sign-in");
      await tab.getByRole("button", { name: "Sign out" }).waitFor();
    }
    expect(round).toBeGreaterThanOrEqual(8);
    expect(refreshes).toBeGreaterThanOrEqual(round);
    const reuse = await t.app.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, "auth.refresh_reuse_detected"));
    expect(reuse).toEqual([]);
    await context.close();
  }, 90_000);

  it("sends a tab back to sign-in with the reason when the session is ended elsewhere", async () => {
    const page = await newPage();
    await signIn(page, agent.email);
    await page.getByRole("heading", { name: "Find a customer" }).waitFor();
    const login = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { emailOrPhone: agent.email, password: STRONG_PASSWORD },
    });
    await t.app.inject({
      method: "POST",
      url: "/api/auth/logout-all",
      headers: { authorization: `Bearer ${login.json().token}` },
    });
    await page.getByLabel("Phone, name or reference").fill("Karim");
    await page.getByLabel("Phone, name or reference").press("Enter");
    await page.getByText(/Your session has ended/).waitFor();
    expect(page.url()).toContain("/sign-in");
    await page.context().close();
  }, 60_000);

  it("ran under the CSP with no violation", () => {
    expect(cspErrors).toEqual([]);
  });
});
