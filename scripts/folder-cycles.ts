/**
 * Folder-level import cycles in src/ (`tsx scripts/folder-cycles.ts [--modules]`, the flag keeping
 * only modules and plugins): each feature module, plugins/,
 * lib/, db/, db/schema and cli/ is one node; a relative value import between two of them is an edge.
 * Type-only imports (`import type`) are left out, they vanish at run time. Prints each strongly
 * connected group and the imports that tie it; exits 1 when there is one. Tests are not counted.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") && !file.endsWith(".test.ts") ? [file] : [];
  });
}

function folderOf(root: string, file: string): string {
  const parts = path.relative(root, file).split(path.sep);
  if (parts[0] === "modules" && parts.length > 2) return `modules/${parts[1]}`;
  if (parts[0] === "db" && parts[1] === "schema") return "db/schema";
  return parts.length > 1 ? parts[0]! : "(root)";
}

export interface Cycle {
  /** The folders tied together, sorted. */
  folders: string[];
  /** Each edge inside the group, with up to two of the imports making it. */
  edges: { from: string; to: string; imports: string[] }[];
}

/**
 * The folder-level import cycles under `root` (src/). `among` keeps only the folders it accepts, e.g.
 * the modules and plugins, leaving out the ties that run through lib/ and db/ (the seeders).
 */
export function folderCycles(root: string, among: (folder: string) => boolean = () => true): Cycle[] {
  const edges = new Map<string, Map<string, string[]>>();
  const IMPORT = /^\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gm;
  for (const file of sourceFiles(root)) {
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      if (match[1]) continue;
      const target = path.resolve(path.dirname(file), match[2]!).replace(/\.js$/, ".ts");
      const [from, to] = [folderOf(root, file), folderOf(root, target)];
      if (from === to || !among(from) || !among(to)) continue;
      const out = edges.get(from) ?? new Map<string, string[]>();
      edges.set(from, out);
      out.set(to, [...(out.get(to) ?? []), `${path.relative(root, file)} → ${path.relative(root, target)}`]);
    }
  }

  // Tarjan's strongly connected components: every group of two or more folders is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  function visit(node: string) {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group.sort());
  }
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return groups.map((folders) => ({
    folders,
    edges: folders.flatMap((from) =>
      [...(edges.get(from) ?? [])]
        .filter(([to]) => folders.includes(to))
        .map(([to, imports]) => ({ from, to, imports: imports.slice(0, 2) })),
    ),
  }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const modulesOnly = process.argv.includes("--modules");
  const root = path.resolve(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "src");
  const cycles = folderCycles(root, modulesOnly ? (f) => /^(modules|plugins)/.test(f) : undefined);
  if (cycles.length === 0) console.log("No folder-level import cycles.");
  for (const cycle of cycles) {
    console.log(`Cycle: ${cycle.folders.join(", ")}`);
    for (const e of cycle.edges) console.log(`  ${e.from} → ${e.to}: ${e.imports.join("; ")}`);
  }
  process.exitCode = cycles.length > 0 ? 1 : 0;
}
