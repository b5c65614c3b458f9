import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium package (`apt-get install -y chromium`); never a downloaded browser build. */
export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations. The script is evaluated
 * through the DevTools protocol, which the page's CSP does not govern, so the CSP stays as served.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${axeSource};0`);
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({ target: n.target })) })))",
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Where the browser tests leave the console's screenshots (shown in the README). */
export const SCREENSHOTS = path.resolve(import.meta.dirname, "../../docs/console");

/**
 * Checks a screen once it is settled: no serious or critical axe violation (it throws, naming them),
 * then a full-page screenshot `docs/console/<name>.png`.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  const violations = await seriousA11yViolations(page);
  if (violations.length > 0)
    throw new Error(`${name}: accessibility violations ${JSON.stringify(violations, null, 1)}`);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Clicks "Next call" and times, inside the page, the click → the pre-call heading in the DOM (the
 * request, the answer's rendering and React's commit); the browser test and `npm run bench:console`.
 */
export async function timeNextCallClick(page: Page): Promise<number> {
  return (await page.evaluate(`new Promise((resolve, reject) => {
    const started = performance.now();
    const observer = new MutationObserver(() => {
      if (document.getElementById("precall-title")) { observer.disconnect(); resolve(performance.now() - started); }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    setTimeout(() => reject(new Error("no pre-call after 10 s")), 10000);
    document.querySelector("[data-testid=next-call-button]").click();
  })`)) as number;
}
