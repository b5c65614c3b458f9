import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "./support/app.js";

const lines: string[] = [];
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ LOG_LEVEL: "info" }, { logStream: { write: (line) => lines.push(line) } });
  // Declares its query parameter: undeclared ones are refused before the handler (input-guard).
  t.app.post(
    "/test/echo",
    { schema: { querystring: { type: "object", properties: { token: { type: "string" } } } } },
    async (request) => {
      request.log.info({ body: request.body }, "received");
      return { ok: true };
    },
  );
  t.app.get("/test/leaky-query", async () =>
    t.app.database.db.execute(sql`select * from no_such_table where secret = ${"hunter2-param-value"}`),
  );
});
afterAll(async () => t.close());

const logText = () => lines.join("");

describe("logging", () => {
  it("writes one access line with method, route, status, duration and request id", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { "x-request-id": "trace-me-1" },
    });
    expect(res.statusCode).toBe(200);
    const line = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.requestId === "trace-me-1" && l.msg === "request completed");
    expect(line).toMatchObject({
      method: "GET",
      route: "/health",
      status: 200,
      durationMs: expect.any(Number),
    });
  });

  it("never writes passwords, OTPs, tokens or the Authorization header", async () => {
    await t.app.inject({
      method: "POST",
      url: "/test/echo?token=query-token-value",
      headers: { authorization: "Bearer header-token-value", cookie: "sid=cookie-value" },
      payload: {
        email: "agent@example.com",
        password: "pw-value-1",
        otp: "123987",
        nested: { newPassword: "pw-value-2", refresh: "refresh-value" },
      },
    });
    const text = logText();
    expect(text).toContain("agent@example.com");
    for (const secret of [
      "pw-value-1",
      "pw-value-2",
      "123987",
      "refresh-value",
      "header-token-value",
      "cookie-value",
      "query-token-value",
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("logs a failed query with its SQL and request id but not its parameters", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: "/test/leaky-query",
      headers: { "x-request-id": "trace-me-2" },
    });
    expect(res.statusCode).toBe(500);
    const errorLine = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === "trace-me-2" && l.level === 50);
    expect(errorLine?.err?.message).toContain("no_such_table");
    expect(logText()).not.toContain("hunter2-param-value");
  });
});
