/**
 * Builds the web console into console/dist and prints the size of the JavaScript a first visit loads
 * (gzipped; fails above the 250 KB budget).
 *
 *   tsx scripts/console-build.ts             build
 *   tsx scripts/console-build.ts --if-stale  build only when console/ changed since the last build (npm start)
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CONSOLE = path.join(ROOT, "console");
export const CONSOLE_DIST = path.join(CONSOLE, "dist");
const STAMP = path.join(CONSOLE_DIST, ".source-hash");
export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
}

/** Everything the build reads: the console's sources and config, and the installed versions. */
function sourceHash(): string {
  const hash = createHash("sha256");
  const inputs = [
    ...files(path.join(CONSOLE, "src")),
    path.join(CONSOLE, "index.html"),
    path.join(CONSOLE, "vite.config.ts"),
    path.join(ROOT, "package-lock.json"),
  ];
  for (const file of inputs) hash.update(path.relative(ROOT, file)).update(readFileSync(file));
  return hash.digest("hex");
}

export function consoleIsStale(): boolean {
  return (
    !existsSync(path.join(CONSOLE_DIST, "index.html")) ||
    !existsSync(STAMP) ||
    readFileSync(STAMP, "utf8") !== sourceHash()
  );
}

/** The scripts and module preloads index.html loads before anything else, gzipped. */
export function initialJsBytes(): { files: { file: string; gzip: number }[]; total: number } {
  const html = readFileSync(path.join(CONSOLE_DIST, "index.html"), "utf8");
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map(
    (m) => m[1]!,
  );
  const list = [...new Set(refs)].map((ref) => ({
    file: ref,
    gzip: gzipSync(readFileSync(path.join(CONSOLE_DIST, ref))).length,
  }));
  return { files: list, total: list.reduce((sum, f) => sum + f.gzip, 0) };
}

export async function buildConsole(): Promise<void> {
  const hash = sourceHash();
  const { build } = await import("vite");
  // Always a production build (React's production bundle), even when run with NODE_ENV=test (CI, tests).
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: path.join(CONSOLE, "vite.config.ts"), mode: "production", logLevel: "warn" });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
  writeFileSync(STAMP, hash);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale") && !consoleIsStale()) {
    console.log("console: up to date (console/dist)");
  } else {
    const started = Date.now();
    await buildConsole();
    const { files: list, total } = initialJsBytes();
    for (const f of list) console.log(`console: ${f.file} ${(f.gzip / 1024).toFixed(1)} KB gzipped`);
    console.log(
      `console: built in ${Date.now() - started} ms; initial JavaScript ${(total / 1024).toFixed(1)} KB gzipped (budget 250 KB)`,
    );
    if (total > INITIAL_JS_BUDGET_BYTES) {
      console.error("console: initial JavaScript is over the 250 KB budget");
      process.exit(1);
    }
  }
}
