import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withCatalogue } from "../scripts/error-catalogue.js";

describe("the README's error catalogue", () => {
  it("is the one in src/lib/errors.ts (run `npm run docs:errors` after changing it)", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(withCatalogue(readme)).toBe(readme);
  });
});
