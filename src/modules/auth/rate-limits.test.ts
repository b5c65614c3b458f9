import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, createTestDatabase, type TestApp, testConfig } from "../../../test/support/app.js";
import { createStaff, FAST_AUTH_ENV, STRONG_PASSWORD } from "../../../test/support/accounts.js";
import { buildApp } from "../../app.js";
import { createDatabase } from "../../db/client.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

const loginFrom = (app: TestApp["app"], ip: string, emailOrPhone: string, password: string) =>
  app.inject({ method: "POST", url: "/api/auth/login", remoteAddress: ip, payload: { emailOrPhone, password } });

describe("login rate limits (in memory)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      ...FAST_AUTH_ENV,
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: "3",
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: "8",
      RATE_LIMIT_REGISTER_PER_IP: "2",
    });
  });
  afterAll(async () => t.close());

  it("throttles failures on one account with 429, Retry-After and the error shape", async () => {
    for (let i = 0; i < 3; i++)
      expect((await loginFrom(t.app, "10.0.0.1", "ghost@example.dz", "Wrong-1!")).statusCode).toBe(401);
    const res = await loginFrom(t.app, "10.0.0.2", "ghost@example.dz", "Wrong-1!");
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    expect(res.json().error).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
  });

  it("throttles one IP failing across many accounts, but not other IPs", async () => {
    for (let i = 0; i < 8; i++) await loginFrom(t.app, "10.0.0.9", `spray${i}@example.dz`, "Wrong-1!");
    const { email } = await createStaff(t.app);
    expect((await loginFrom(t.app, "10.0.0.9", email, STRONG_PASSWORD)).statusCode).toBe(429);
    expect((await loginFrom(t.app, "10.0.0.10", email, STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it("limits registrations per IP", async () => {
    const reg = (n: number) =>
      t.app.inject({
        method: "POST",
        url: "/api/auth/register",
        remoteAddress: "10.0.1.1",
        payload: { email: `r${n}-${randomBytes(3).toString("hex")}@example.dz`, password: STRONG_PASSWORD, name: "R" },
      });
    expect((await reg(1)).statusCode).toBe(201);
    expect((await reg(2)).statusCode).toBe(201);
    expect((await reg(3)).statusCode).toBe(429);
  });
});

describe("a call centre behind one IP", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ ...FAST_AUTH_ENV });
  });
  afterAll(async () => t.close());

  it("200 different agents logging in within a minute all succeed", async () => {
    const agents = [];
    for (let i = 0; i < 200; i++) agents.push(await createStaff(t.app, { phone: null }));
    const results: number[] = [];
    for (let batch = 0; batch < 200; batch += 20) {
      const res = await Promise.all(
        agents.slice(batch, batch + 20).map((a) => loginFrom(t.app, "203.0.113.7", a.email, a.password)),
      );
      results.push(...res.map((r) => r.statusCode));
    }
    expect(results.filter((s) => s === 200)).toHaveLength(200);
  }, 120_000);
});

describe.runIf(TEST_REDIS_URL)("limits shared by two instances on one Redis", () => {
  it("failures counted on one instance throttle the other", async () => {
    const db = await createTestDatabase({ migrated: true });
    const database = await createDatabase(testConfig(db.env).database);
    const env = {
      ...db.env,
      ...FAST_AUTH_ENV,
      REDIS_URL: TEST_REDIS_URL!,
      REDIS_KEY_PREFIX: `crm-test-${randomBytes(4).toString("hex")}:`,
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: "4",
    };
    // Two app instances on one database and one Redis, as two servers behind a load balancer.
    const a = await buildApp(testConfig(env), { database });
    const b = await buildApp(testConfig(env), { database });
    try {
      for (let i = 0; i < 2; i++)
        expect((await loginFrom(a, "10.1.0.1", "shared@example.dz", "x")).statusCode).toBe(401);
      for (let i = 0; i < 2; i++)
        expect((await loginFrom(b, "10.1.0.2", "shared@example.dz", "x")).statusCode).toBe(401);
      expect((await loginFrom(a, "10.1.0.3", "shared@example.dz", "x")).statusCode).toBe(429);
      expect((await loginFrom(b, "10.1.0.4", "shared@example.dz", "x")).statusCode).toBe(429);
    } finally {
      await a.close();
      await b.close();
      await database.close();
      await db.drop();
    }
  });
});
