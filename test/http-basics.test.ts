import { sql } from "drizzle-orm";
import { Type } from "typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_VERSION } from "../src/lib/version.js";
import { buildTestApp, type TestApp } from "./support/app.js";

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ CORS_ORIGINS: "https://crm.example.com" });
  // Routes that exist only in this test, to drive the error mapping through real requests.
  await t.app.database.db.execute(sql`create table probe_unique (email text unique, full_name text)`);
  t.app.post(
    "/test/probe",
    {
      schema: {
        body: Type.Object({ email: Type.String({ format: "email" }), age: Type.Integer({ minimum: 18 }) }),
      },
    },
    async (request) => {
      await t.app.database.db.execute(sql`insert into probe_unique (email) values (${request.body.email})`);
      return { ok: true };
    },
  );
  t.app.get("/test/boom", async () => {
    throw new Error("secret internal detail from the driver");
  });
  t.app.get("/test/bad-sql", async () => t.app.database.db.execute(sql`select * from no_such_table`));
});

afterAll(async () => t.close());

describe("health and readiness", () => {
  it("GET /health answers ok with uptime and version", async () => {
    const res = await t.app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ status: "ok", uptime: expect.any(Number), version: APP_VERSION });
  });

  it("GET /ready names the engine and up-to-date migrations", async () => {
    const res = await t.app.inject({ method: "GET", url: "/ready" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: "ready",
      database: t.app.database.engine,
      migrations: "up-to-date",
    });
  });
});

describe("request id", () => {
  it("generates one, returns it in the header and in error bodies", async () => {
    const res = await t.app.inject({ method: "GET", url: "/nowhere" });
    const id = res.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json().requestId).toBe(id);
  });

  it("honours an incoming X-Request-Id", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { "x-request-id": "call-42.abc" },
    });
    expect(res.headers["x-request-id"]).toBe("call-42.abc");
  });

  it("replaces an incoming id that could forge log lines", async () => {
    const res = await t.app.inject({ method: "GET", url: "/health", headers: { "x-request-id": "a b\nc" } });
    expect(res.headers["x-request-id"]).not.toContain(" ");
  });
});

describe("the one error shape", () => {
  it("404 for an unknown route", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/does-not-exist?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: "NOT_FOUND", message: "Route GET /api/does-not-exist not found" },
      requestId: expect.any(String),
    });
  });

  it("400 VALIDATION_ERROR lists every invalid field as a JSON pointer", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/test/probe",
      payload: { email: "nope", age: 3 },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: "/email", message: expect.stringContaining("email") },
        { path: "/age", message: expect.stringContaining("18") },
      ]),
    );
    expect(body.requestId).toBe(res.headers["x-request-id"]);
  });

  it("400 VALIDATION_ERROR names a missing field", async () => {
    const res = await t.app.inject({ method: "POST", url: "/test/probe", payload: { age: 30 } });
    expect(res.json().error.details).toEqual([{ path: "/email", message: "is required" }]);
  });

  it("400 INVALID_JSON for a malformed body", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/test/probe",
      headers: { "content-type": "application/json" },
      payload: '{"email": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("INVALID_JSON");
  });

  it("415 UNSUPPORTED_MEDIA_TYPE for a non-JSON body", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/test/probe",
      headers: { "content-type": "application/xml" },
      payload: "<a/>",
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("413 PAYLOAD_TOO_LARGE above 1 MiB", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/test/probe",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ email: "a@b.co", age: 20, pad: "x".repeat(1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("409 CONFLICT for a unique violation, naming the field but not the value", async () => {
    const payload = { email: "dup@example.com", age: 40 };
    expect((await t.app.inject({ method: "POST", url: "/test/probe", payload })).statusCode).toBe(200);
    const res = await t.app.inject({ method: "POST", url: "/test/probe", payload });
    expect(res.statusCode).toBe(409);
    const body = res.json();
    expect(body.error).toEqual({
      code: "CONFLICT",
      message: "A record with this email already exists",
      details: [{ path: "/email", message: "already exists" }],
    });
    expect(res.body).not.toContain("dup@example.com");
  });

  it("500 INTERNAL_ERROR without stack, SQL or driver text", async () => {
    for (const url of ["/test/boom", "/test/bad-sql"]) {
      const res = await t.app.inject({ method: "GET", url });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: { code: "INTERNAL_ERROR", message: "An unexpected error occurred" },
        requestId: expect.any(String),
      });
      expect(res.body).not.toMatch(/secret|no_such_table|select|at /);
    }
  });
});

describe("CORS and security headers", () => {
  it("allows a configured origin and not another", async () => {
    const allowed = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { origin: "https://crm.example.com" },
    });
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://crm.example.com");
    const other = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("sends helmet's security headers", async () => {
    const res = await t.app.inject({ method: "GET", url: "/health" });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["strict-transport-security"]).toBeDefined();
  });
});

describe("API documentation", () => {
  it("serves the interactive reference at /docs", async () => {
    const res = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain("swagger-ui");
  });
});
