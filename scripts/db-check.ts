/**
 * Migration drift check (seed 000: "if the generated revision is empty, you're clean"). Runs
 * drizzle-kit generate into a scratch copy of drizzle/ and fails if it would write anything.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";

// drizzle-kit prefixes `out` with "./", so the scratch folder must be relative to the project.
mkdirSync("node_modules/.cache", { recursive: true });
const scratch = mkdtempSync("node_modules/.cache/crm-drift-");
try {
  cpSync("drizzle", scratch, { recursive: true });
  const before = readdirSync(scratch).sort();
  const output = execFileSync("npx", ["drizzle-kit", "generate", "--name", "drift_check"], {
    env: { ...process.env, DRIZZLE_OUT: scratch },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const added = readdirSync(scratch).filter((f) => !before.includes(f));
  if (added.length > 0) {
    console.error(
      `Schema drift: src/db/schema differs from the committed migrations (drizzle-kit would write ${added.join(", ")}).\n` +
        "Run `npm run db:generate -- --name <change>`, review the SQL and commit it.",
    );
    process.exitCode = 1;
  } else if (!output.includes("No schema changes")) {
    // drizzle-kit exits 0 even when it fails to read the snapshots, so success is what it says.
    console.error(`db:check: drizzle-kit did not confirm the schema is unchanged:\n${output}`);
    process.exitCode = 1;
  } else {
    console.log("db:check: schema and committed migrations agree.");
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
