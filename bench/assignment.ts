/**
 * `npm run bench:assignment -- --database <name>`: times `POST /api/admin/assignments` over a whole
 * seeded portfolio (issue 14: 100,000 customers assigned in under 10 s). The database must already hold
 * the portfolio (`crm db seed --customers 100000`); the app runs in-process against it, so the figures
 * are the statement's and the transaction's, not HTTP's. Each run adds a team of 10 agents and a
 * supervisor (unique names), and leaves the customers unassigned at the end.
 */
import { randomBytes } from "node:crypto";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createUser } from "../src/modules/users/service.js";

const args = process.argv.slice(2);
const database = args[args.indexOf("--database") + 1];
if (!args.includes("--database") || !database) {
  console.error("usage: npm run bench:assignment -- --database <name> [--base postgres://postgres@127.0.0.1:5432]");
  process.exit(2);
}
const base = args.includes("--base") ? args[args.indexOf("--base") + 1]! : "postgres://postgres@127.0.0.1:5432";
const PASSWORD = "Bench-Supervisor-Oasis-2026";
const run = randomBytes(3).toString("hex");

const config = loadConfig({
  NODE_ENV: "production",
  DATABASE_URL: `${base}/${database}`,
  JWT_SECRET: "bench-assignment-secret-0123456789abcdefghij",
  EMAIL_USER: "bench@example.invalid",
  BCRYPT_COST: "4",
  LOG_LEVEL: "warn",
});
const app = await buildApp(config);
try {
  const staff = async (role: "agent" | "supervisor" | "admin", n: number) =>
    createUser(
      app.services,
      {
        email: `bench-assign-${run}-${role}-${n}@example.com`,
        password: PASSWORD,
        name: `Bench ${role} ${n}`,
        phone: null,
        role,
        emailVerified: true,
      },
      null,
      "user.created",
    );
  const signIn = async (email: string) => {
    const res = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { emailOrPhone: email, password: PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
    return { authorization: `Bearer ${(res.json() as { token: string }).token}` };
  };
  const admin = await staff("admin", 0);
  const supervisor = await staff("supervisor", 0);
  const agents = [];
  for (let i = 1; i <= 10; i++) agents.push(await staff("agent", i));
  const adminHeaders = await signIn(admin.email);
  const supervisorHeaders = await signIn(supervisor.email);
  const team = await app.inject({
    method: "POST",
    url: "/api/admin/teams",
    headers: adminHeaders,
    payload: { name: `Bench team ${run}`, supervisorId: supervisor.id },
  });
  const teamId = (team.json() as { id: string }).id;
  await app.inject({
    method: "POST",
    url: `/api/admin/teams/${teamId}/members`,
    headers: adminHeaders,
    payload: { userIds: agents.map((a) => a.id) },
  });

  const timed = async (label: string, body: Record<string, unknown>, dryRun = false) => {
    const started = performance.now();
    const res = await app.inject({
      method: "POST",
      url: `/api/admin/assignments${dryRun ? "?dryRun=true" : ""}`,
      headers: supervisorHeaders,
      payload: body,
    });
    const seconds = (performance.now() - started) / 1000;
    if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
    const r = res.json() as { matched: number; changed: number; owners: { customers: number }[] };
    const split = r.owners.map((o) => o.customers);
    console.log(
      `${label.padEnd(28)} ${seconds.toFixed(2).padStart(6)} s  matched ${r.matched}  changed ${r.changed}  split ${Math.min(...split)}..${Math.max(...split)}`,
    );
  };
  console.log(`assignment at ${database} (${new Date().toISOString()})`);
  await timed("balance_amount, dry run", { filter: {}, to: { teamId }, strategy: "balance_amount" }, true);
  await timed("balance_amount", { filter: {}, to: { teamId }, strategy: "balance_amount" });
  await timed("round_robin", { filter: {}, to: { teamId }, strategy: "round_robin" });
  await timed("unassign", { filter: {}, unassign: true });
} finally {
  await app.close();
}
