import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { folderCycles } from "../scripts/folder-cycles.js";

const src = path.resolve(import.meta.dirname, "../src");
const modulesAndPlugins = (folder: string) => /^(modules|plugins)/.test(folder);

describe("folder-level imports (issue 13)", () => {
  it("the auth module and plugins/ sit in no cycle: every module's routes can use authOf and the guard", () => {
    const cycles = folderCycles(src, modulesAndPlugins);
    const tangled = cycles.filter((c) =>
      c.folders.some((f) => ["modules/auth", "modules/users", "modules/account", "plugins"].includes(f)),
    );
    expect(tangled).toEqual([]);
  });

  it("finds a cycle through a value import, not through a type-only one", () => {
    const root = mkdtempSync(path.join(tmpdir(), "folder-cycles-"));
    try {
      for (const m of ["a", "b", "c"]) mkdirSync(path.join(root, "modules", m), { recursive: true });
      writeFileSync(path.join(root, "modules/a/service.ts"), 'import { b } from "../b/service.js";\n');
      writeFileSync(path.join(root, "modules/b/service.ts"), 'import { a } from "../a/service.js";\n');
      writeFileSync(path.join(root, "modules/c/service.ts"), 'import type { A } from "../a/service.js";\n');
      writeFileSync(path.join(root, "modules/a/types.ts"), 'import type { C } from "../c/service.js";\n');
      expect(folderCycles(root).map((c) => c.folders)).toEqual([["modules/a", "modules/b"]]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
