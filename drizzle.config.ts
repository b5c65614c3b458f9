import { defineConfig } from "drizzle-kit";

// Only `generate` is used: it diffs src/db/schema against the committed snapshots, no database needed.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: process.env.DRIZZLE_OUT ?? "./drizzle",
  strict: true,
});
