import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigSchema, loadConfig } from "../src/config.js";

const variables = Object.keys(ConfigSchema.properties);

describe(".env.example and README stay true to the configuration schema", () => {
  it("lists every variable the service reads, and nothing it does not", () => {
    const listed = readFileSync(".env.example", "utf8")
      .split("\n")
      .map((line) => line.match(/^([A-Z][A-Z0-9_]*)=/)?.[1])
      .filter((name): name is string => Boolean(name));
    expect([...listed].sort()).toEqual([...variables].sort());
  });

  it("the example's values are themselves a valid configuration", () => {
    const env = Object.fromEntries(
      readFileSync(".env.example", "utf8")
        .split("\n")
        .map((line) => line.match(/^([A-Z][A-Z0-9_]*)=(.*)$/))
        .filter((m): m is RegExpMatchArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });

  it("the README's configuration table names every variable", () => {
    const readme = readFileSync("README.md", "utf8");
    for (const name of variables) expect(readme, name).toContain(`\`${name}\``);
  });
});
