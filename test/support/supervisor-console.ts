import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { buildConsole, consoleIsStale } from "../../scripts/console-build.js";
import { createStaff, FAST_AUTH_ENV, signIn as signInApi, STRONG_PASSWORD } from "./accounts.js";
import { buildTestApp, type TestApp } from "./app.js";
import { checkScreen, hasChromium, launchChromium, SCREENSHOTS } from "./browser.js";
import type { Headers } from "./crm.js";
import { teamOf } from "./supervisor.js";

// Without the browser the suites are skipped locally; CI installs it, so there they must run.
export const runInChromium = hasChromium || process.env.CI ? describe : describe.skip;

/**
 * The supervisor console's browser suites: the built console on the real server, an admin, two
 * supervisors (Sara leads "Tlemcen team" of four agents), an agent outside it, and Chromium; with
 * helpers to sign in a page, call the API as someone, and check a screen (axe, then a screenshot).
 */
export function useSupervisorConsole() {
  const ctx = {
    t: undefined as unknown as TestApp,
    base: "",
    browser: undefined as unknown as Browser,
    adminEmail: "",
    sup: { email: "", id: "", name: "Sara Supervisor" },
    sup2: { email: "", name: "Samir Supervisor" },
    agentEmail: "",
    teamAgents: [] as { id: string; email: string; name: string }[],
    team: { id: "", name: "" },
    cspErrors: [] as string[],
    headersOf: async (email: string): Promise<Headers> => (await signInApi(ctx.t.app, email)).auth,
    inject: async (method: "GET" | "POST", url: string, email: string, payload?: object) =>
      ctx.t.app.inject({ method, url, headers: await ctx.headersOf(email), ...(payload ? { payload } : {}) }),
    async newPage(): Promise<Page> {
      const browserContext = await ctx.browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "en-GB" });
      const page = await browserContext.newPage();
      page.on("console", (m) => {
        if (m.type() === "error" && /Content Security Policy/i.test(m.text())) ctx.cspErrors.push(m.text());
      });
      return page;
    },
    check: checkScreen,
    async signedInPage(email: string) {
      const page = await ctx.newPage();
      await page.goto(`${ctx.base}/sign-in`);
      await page.getByLabel("Email or phone").fill(email);
      await page.getByLabel("Password").fill(STRONG_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Find a customer" }).waitFor();
      return page;
    },
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    if (consoleIsStale()) await buildConsole();
    ctx.t = await buildTestApp({
      ...FAST_AUTH_ENV,
      CALL_WINDOW: "00:00-24:00",
      NO_CALL_WEEKDAYS: "none",
      RATE_LIMIT_REFRESH_PER_IP: "100000",
    });
    const app = ctx.t.app;
    ctx.base = await app.listen({ port: 0, host: "127.0.0.1" });
    ctx.adminEmail = (await createStaff(app, { role: "admin", name: "Ada Admin", phone: null })).email;
    const s = await createStaff(app, { role: "supervisor", name: ctx.sup.name, phone: null });
    Object.assign(ctx.sup, { email: s.email, id: s.user.id });
    ctx.sup2.email = (await createStaff(app, { role: "supervisor", name: ctx.sup2.name, phone: null })).email;
    ctx.agentEmail = (await createStaff(app, { role: "agent", name: "Amina Agent", phone: null })).email;
    for (const name of ["Bilal", "Chahinez", "Djamel", "Farida"]) {
      const a = await createStaff(app, { role: "agent", name: `${name} Agent`, phone: null });
      ctx.teamAgents.push({ id: a.user.id, email: a.email, name: a.user.name });
    }
    ctx.team = await teamOf(
      app,
      await ctx.headersOf(ctx.adminEmail),
      "Tlemcen team",
      ctx.sup.id,
      ctx.teamAgents.map((a) => a.id),
    );
    ctx.browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    expect(ctx.cspErrors).toEqual([]);
    await ctx.browser?.close();
    await ctx.t?.close();
  });

  return ctx;
}
