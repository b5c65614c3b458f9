import { randomBytes } from "node:crypto";
import type { App } from "../../src/app.js";
import { customers } from "../../src/db/schema/index.js";
import { createStaff, signIn } from "./accounts.js";
import { customerPhone, daysAgo, type Headers } from "./crm.js";

/** `n` owing customers written straight to the table (no loans): enough for the ranking and the rules. */
export async function seedDebtors(app: App, now: Date, n: number, extra: Partial<typeof customers.$inferInsert> = {}) {
  const tag = randomBytes(3).toString("hex");
  const rows = Array.from({ length: n }, (_, i) => ({
    fullName: `Debtor ${tag}-${i}`,
    phone: customerPhone(),
    totalOverdue: String(1000 + i),
    oldestDueDate: daysAgo(now, 30),
    ...extra,
  }));
  return app.database.db
    .insert(customers)
    .values(rows)
    .returning({ id: customers.id, phone: customers.phone, fullName: customers.fullName });
}

/** `n` signed-in agents, created a few at a time. */
export async function signedInAgents(app: App, n: number) {
  const agents: { userId: string; name: string; headers: Headers }[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, async (_, j) => {
        const { email, user } = await createStaff(app, { role: "agent", phone: null, name: `Agent ${i + j}` });
        const s = await signIn(app, email);
        return { userId: user.id, name: user.name, headers: s.auth as Headers };
      }),
    );
    agents.push(...batch);
  }
  return agents;
}

export async function apiKey(app: App, adminHeaders: Headers, scopes: string[]) {
  const res = await app.inject({
    method: "POST",
    url: "/api/admin/api-keys",
    headers: adminHeaders,
    payload: { name: `dialer ${scopes.join("+")}`, scopes },
  });
  if (res.statusCode !== 201) throw new Error(`api key: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; key: string };
}

export const nextCall = (app: App, headers: Headers) =>
  app.inject({ method: "POST", url: "/api/crm/next-call", headers });

let callSeq = 0;
/** An outbound call's post-call, started at `now`, with a call id unique in the test file. */
export const recordOutboundCall = (
  app: App,
  headers: Headers,
  now: Date,
  customerId: string,
  extra: Record<string, unknown> = {},
) =>
  app.inject({
    method: "POST",
    url: "/api/crm/post-call",
    headers,
    payload: {
      callId: `T-CALL-${++callSeq}`,
      customerId,
      direction: "outbound",
      startedAt: now.toISOString(),
      durationSeconds: 20,
      disposition: "no_answer",
      ...extra,
    },
  });
