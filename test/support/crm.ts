import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { App } from "../../src/app.js";
import type { Clock } from "../../src/lib/clock.js";
import { createStaff, FAST_AUTH_ENV, signIn } from "./accounts.js";
import { buildTestApp, type TestApp } from "./app.js";

export type Headers = Record<string, string>;

/** One signed-in user per role. */
export async function staffSessions(app: App) {
  const sign = async (role: "agent" | "supervisor" | "admin") => {
    const { email, user } = await createStaff(app, { role, phone: null });
    const s = await signIn(app, email);
    return { headers: s.auth, userId: user.id, name: user.name };
  };
  return { agent: await sign("agent"), supervisor: await sign("supervisor"), admin: await sign("admin") };
}

const unique = () => randomBytes(4).toString("hex");
let phoneCounter = 0;
/** A valid, unique Djezzy/Ooredoo/Mobilis number in E.164. */
export function customerPhone(): string {
  phoneCounter += 1;
  const prefixes = ["+21355", "+21366", "+21377"];
  const n = (Number.parseInt(randomBytes(3).toString("hex"), 16) + phoneCounter) % 10_000_000;
  return `${prefixes[phoneCounter % 3]}${String(n).padStart(7, "0")}`;
}

export async function createCustomer(app: App, headers: Headers, overrides: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: "POST",
    url: "/api/customers",
    headers,
    payload: {
      fullName: `Client ${unique()}`,
      phone: customerPhone(),
      externalRef: `EXT-${unique()}`,
      city: "Oran",
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(`create customer: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; version: number; phone: string; externalRef: string; fullName: string };
}

export async function createLoan(
  app: App,
  headers: Headers,
  customerId: string,
  overrides: Record<string, unknown> = {},
) {
  const res = await app.inject({
    method: "POST",
    url: "/api/loans",
    headers,
    payload: {
      customerId,
      loanNumber: `LN-${unique()}`,
      productName: "Personal loan",
      principal: "120000.00",
      termMonths: 24,
      installmentAmount: "5500.00",
      outstandingBalance: "90000.00",
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(`create loan: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown> & { id: string; version: number };
}

/** YYYY-MM-DD `days` before `now` (UTC date; tests pick times far from midnight in Algiers). */
export const daysAgo = (now: Date, days: number) =>
  new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);

/** Tokens and sessions that outlive a test moving the clock by days. */
export const LONG_SESSION_ENV = {
  ACCESS_TOKEN_TTL_SECONDS: "86400",
  SESSION_IDLE_MINUTES: "10080",
  SESSION_MAX_HOURS: "720",
};

/**
 * The usual CRM test file: an app on its own database with the given clock, long-lived sessions, and
 * one signed-in user per role. Fields are filled in by `beforeAll`.
 */
export function useCrmTestApp(clock: Clock, env: Record<string, string> = {}) {
  const ctx = {} as { app: App; as: Awaited<ReturnType<typeof staffSessions>> };
  let testApp: TestApp | undefined;
  beforeAll(async () => {
    testApp = await buildTestApp({ ...FAST_AUTH_ENV, ...LONG_SESSION_ENV, ...env }, { clock });
    ctx.app = testApp.app;
    ctx.as = await staffSessions(testApp.app);
  });
  afterAll(async () => testApp?.close());
  return ctx;
}
