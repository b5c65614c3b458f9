import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff, FAST_AUTH_ENV, login, signIn } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";

const lines: string[] = [];
let t: TestApp;
let adminAuth: Record<string, string>;

beforeAll(async () => {
  t = await buildTestApp(
    {
      ...FAST_AUTH_ENV,
      LOG_LEVEL: "info",
      SUSPICIOUS_FORBIDDEN_REQUESTS: "5",
      LOCKOUT_THRESHOLD: "3",
      TRUSTED_NETWORKS: "10.0.0.0/8",
    },
    // The real clock: audit rows are stamped by the database, and the detectors look back from now.
    { logStream: { write: (line) => lines.push(line) } },
  );
  const admin = await createStaff(t.app, { role: "admin" });
  adminAuth = (await signIn(t.app, admin.email)).auth;
});
afterAll(async () => t.close());

const findings = async () =>
  (await t.app.inject({ method: "GET", url: "/api/admin/security/suspicious?hours=24", headers: adminAuth })).json()
    .findings as {
    type: string;
    subject: Record<string, string>;
    evidence: Record<string, number>;
  }[];

describe("refused requests", () => {
  it("are logged with who, from where and which route", async () => {
    const agent = await createStaff(t.app);
    const session = await signIn(t.app, agent.email);
    const res = await t.app.inject({
      method: "GET",
      url: "/api/admin/users",
      headers: { ...session.auth, "x-request-id": "refused-1" },
      remoteAddress: "10.1.2.3",
    });
    expect(res.statusCode).toBe(403);
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === "refused-1" && l.status === 403);
    expect(line).toMatchObject({
      level: 40,
      code: "FORBIDDEN",
      route: "GET /api/admin/users",
      ip: "10.1.2.3",
      userId: agent.user.id,
      apiKeyId: null,
    });

    const anonymous = await t.app.inject({
      method: "GET",
      url: "/api/auth/me",
      headers: { "x-request-id": "refused-2" },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.requestId === "refused-2" && l.status === 401)).toMatchObject({
      route: "GET /api/auth/me",
      userId: null,
    });
  });

  it("repeated 403s by one user become a suspicious-activity finding; a few do not", async () => {
    const prober = await createStaff(t.app);
    const occasional = await createStaff(t.app);
    const p = await signIn(t.app, prober.email);
    const o = await signIn(t.app, occasional.email);
    for (const url of [
      "/api/admin/users",
      "/api/admin/audit-logs",
      "/api/admin/api-keys",
      "/api/admin/users",
      "/api/admin/stats/users",
    ]) {
      expect((await t.app.inject({ method: "GET", url, headers: p.auth })).statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: "GET", url: "/api/admin/users", headers: o.auth })).statusCode).toBe(403);
    const found = (await findings()).filter((f) => f.type === "repeated_forbidden");
    expect(found.map((f) => f.subject.userId)).toEqual([prober.user.id]);
    expect(found[0]?.evidence).toMatchObject({ refusals: 5, distinctRoutes: 4 });
  });

  it("a lockout from outside the trusted networks is a finding", async () => {
    const target = await createStaff(t.app);
    for (let i = 0; i < 3; i++) {
      await t.app.inject({
        method: "POST",
        url: "/api/auth/login",
        remoteAddress: "198.51.100.9",
        payload: { emailOrPhone: target.email, password: `Nope-${i}-Guess!` },
      });
    }
    const found = (await findings()).filter((f) => f.type === "untrusted_network_lockout");
    expect(found).toEqual([
      expect.objectContaining({ subject: { userId: target.user.id, email: target.email, ip: "198.51.100.9" } }),
    ]);
  });
});

describe("Cache-Control: no-store", () => {
  it("on answers carrying tokens, codes, reset tokens and keys", async () => {
    const staff = await createStaff(t.app);
    const signedIn = await login(t.app, staff.email, staff.password);
    expect(signedIn.headers["cache-control"]).toBe("no-store");
    const refreshed = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh: signedIn.json().refresh },
    });
    expect(refreshed.headers["cache-control"]).toBe("no-store");
    const key = await t.app.inject({
      method: "POST",
      url: "/api/admin/api-keys",
      headers: adminAuth,
      payload: { name: "dialer", scopes: ["precall:read"] },
    });
    expect(key.statusCode).toBe(201);
    expect(key.headers["cache-control"]).toBe("no-store");
    const otp = await t.app.inject({
      method: "POST",
      url: "/api/request-otp",
      payload: { email: staff.email, phone: staff.user.phone },
    });
    expect(otp.headers["cache-control"]).toBe("no-store");
    const failed = await login(t.app, staff.email, "Wrong-Password-0!");
    expect(failed.headers["cache-control"]).toBe("no-store");
  });
});
