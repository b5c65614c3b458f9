import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "./support/app.js";

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
  await t.app.ready();
});
afterAll(async () => t.close());

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 with the bearer security scheme", async () => {
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
  });

  it("documents every registered route with a success and an error response schema", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const routes = t.app.routeCatalog.filter((r) => !r.hidden && r.method !== "HEAD");
    expect(routes.length).toBeGreaterThan(1);
    for (const { method, url } of routes) {
      const op = doc.paths[url.replace(/:(\w+)/g, "{$1}")]?.[method.toLowerCase()];
      expect(op, `${method} ${url} is missing from /openapi.json`).toBeDefined();
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => s.startsWith("2")),
        `${method} ${url} has no 2xx schema`,
      ).toBe(true);
      expect(
        statuses.some((s) => s.startsWith("4")),
        `${method} ${url} has no error schema`,
      ).toBe(true);
      for (const s of statuses) {
        // A 204 has no body by definition (RFC 9110), so nothing to describe but the status.
        if (s === "204") expect(op.responses[s].content, `${method} ${url} 204`).toBeUndefined();
        else expect(op.responses[s].content?.["application/json"]?.schema, `${method} ${url} ${s}`).toBeDefined();
      }
    }
  });

  it("lists the statuses and catalogue codes each route can return", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const codesOf = (path: string, method: string, status: string): string =>
      doc.paths[path]?.[method]?.responses?.[status]?.description ?? "";
    // A signed-in route: the session check; a role-restricted one: the role check; any input: validation.
    expect(codesOf("/api/auth/sessions", "get", "401")).toContain("`UNAUTHORIZED`");
    expect(codesOf("/api/customers", "post", "403")).toContain("`FORBIDDEN`");
    expect(codesOf("/api/customers", "post", "400")).toContain("`VALIDATION_ERROR`");
    expect(codesOf("/api/customers", "post", "415")).toContain("`UNSUPPORTED_MEDIA_TYPE`");
    // Codes a route declares itself, each under the status the catalogue gives it.
    expect(codesOf("/api/crm/pre-call", "get", "404")).toContain("`CUSTOMER_NOT_FOUND`");
    expect(codesOf("/api/crm/pre-call", "get", "400")).toContain("`INVALID_PHONE`");
    expect(codesOf("/api/auth/login", "post", "423")).toContain("`ACCOUNT_LOCKED`");
    expect(codesOf("/api/auth/login", "post", "401")).toContain("`INVALID_CREDENTIALS`");
    expect(codesOf("/api/auth/login", "post", "401")).not.toContain("`UNAUTHORIZED`");
    // A keyset list refuses a forged cursor; a route's own codes beside the shared ones.
    expect(codesOf("/api/admin/users", "get", "400")).toContain("`INVALID_CURSOR`");
    expect(codesOf("/api/admin/users/{id}", "patch", "409")).toContain("`LAST_ADMIN`");
    expect(codesOf("/api/verify-otp", "post", "410")).toContain("`OTP_EXPIRED`");
    expect(codesOf("/api/customers", "get", "403")).toContain("`ACCOUNT_PENDING_APPROVAL`");
    // A status with a schema of its own keeps it.
    expect(doc.paths["/ready"].get.responses["503"].content["application/json"].schema.properties.status).toBeDefined();
  });
});
