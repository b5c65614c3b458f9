import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";

const dir = mkdtempSync(path.join(tmpdir(), "console-"));
mkdirSync(path.join(dir, "assets"));
writeFileSync(path.join(dir, "index.html"), '<!doctype html><script type="module" src="/assets/app-abc.js"></script>');
writeFileSync(path.join(dir, "assets", "app-abc.js"), "console.log(1)");

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ CENTRE_TIMEZONE: "Africa/Algiers" }, { consoleDir: dir });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the web console", () => {
  it("is served at / under the strict CSP, with hashed assets cached for good", async () => {
    const home = await t.app.inject({ method: "GET", url: "/" });
    expect(home.statusCode).toBe(200);
    expect(home.headers["content-type"]).toMatch(/text\/html/);
    expect(home.headers["cache-control"]).toBe("no-cache");
    expect(String(home.headers["content-security-policy"])).toContain("script-src 'self'");
    const asset = await t.app.inject({ method: "GET", url: "/assets/app-abc.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
  });

  it("answers client routes with index.html, but unknown API paths and files with the JSON 404", async () => {
    for (const url of ["/customers/123", "/search?q=ali", "/sign-in"]) {
      const res = await t.app.inject({ method: "GET", url, headers: { accept: "text/html" } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain("/assets/app-abc.js");
    }
    for (const url of ["/api/does-not-exist", "/api/crm/nothing?x=1", "/assets/missing.js", "/favicon.ico"]) {
      const res = await t.app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe("NOT_FOUND");
    }
    expect((await t.app.inject({ method: "GET", url: "/api/does-not-exist" })).json().error.message).toBe(
      "Route GET /api/does-not-exist not found",
    );
    expect((await t.app.inject({ method: "POST", url: "/customers/1" })).statusCode).toBe(404);
    const api = await t.app.inject({ method: "GET", url: "/customers/123", headers: { accept: "application/json" } });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe("NOT_FOUND");
    expect((await t.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/docs" })).statusCode).not.toBe(404);
  });

  it("tells the console the centre's timezone, currency and which features exist", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/console/config" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      timezone: "Africa/Algiers",
      currency: "DZD",
      languages: ["en", "fr"],
      features: { nextCall: true },
    });
  });
});

describe("without a build", () => {
  it("says how to build it instead of a blank page", async () => {
    const bare = await buildTestApp({}, { consoleDir: path.join(dir, "nowhere") });
    try {
      const res = await bare.app.inject({ method: "GET", url: "/sign-in", headers: { accept: "text/html" } });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toContain("npm run build:console");
    } finally {
      await bare.close();
    }
  });
});
