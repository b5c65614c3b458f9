/**
 * Folder-level import cycles in src/ (`tsx scripts/folder-cycles.ts`): each feature module, plugins/,
 * lib/, db/, db/schema and cli/ is one node; a relative value import between two of them is an edge.
 * Type-only imports (`import type`) are left out, they vanish at run time. Prints each strongly
 * connected group and the imports that tie it; exits 1 when there is one. Tests are not counted.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") && !file.endsWith(".test.ts") ? [file] : [];
  });
}

function folderOf(file: string): string {
  const parts = path.relative(root, file).split(path.sep);
  if (parts[0] === "modules" && parts.length > 2) return `modules/${parts[1]}`;
  if (parts[0] === "db" && parts[1] === "schema") return "db/schema";
  return parts.length > 1 ? parts[0]! : "(root)";
}

const edges = new Map<string, Map<string, string[]>>();
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gm;
for (const file of sourceFiles(root)) {
  for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
    if (match[1]) continue;
    const target = path.resolve(path.dirname(file), match[2]!).replace(/\.js$/, ".ts");
    const [from, to] = [folderOf(file), folderOf(target)];
    if (from === to) continue;
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

if (groups.length === 0) console.log("No folder-level import cycles.");
for (const group of groups) {
  console.log(`Cycle: ${group.join(", ")}`);
  for (const from of group) {
    for (const [to, why] of edges.get(from) ?? []) {
      if (group.includes(to)) console.log(`  ${from} → ${to}: ${why.slice(0, 2).join("; ")}`);
    }
  }
}
process.exitCode = groups.length > 0 ? 1 : 0;
