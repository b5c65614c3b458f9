import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TYPES_FILE, apiTypesFrom } from "../scripts/api-types.js";
import { buildTestApp, type TestApp } from "./support/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await t.app.ready();
});
afterAll(async () => t.close());

describe("the console's API types", () => {
  it("match the OpenAPI document the server generates (run npm run console:api-types after changing a route schema)", async () => {
    const generated = await apiTypesFrom(t.app.swagger());
    expect(
      readFileSync(API_TYPES_FILE, "utf8") === generated,
      "console/src/api/schema.d.ts is out of date: npm run console:api-types",
    ).toBe(true);
  });
});
