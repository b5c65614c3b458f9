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
        expect(op.responses[s].content?.["application/json"]?.schema, `${method} ${url} ${s}`).toBeDefined();
      }
    }
  });
});
