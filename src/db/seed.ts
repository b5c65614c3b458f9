import type { Config } from "../config.js";
import type { Db } from "./client.js";

export interface SeedContext {
  db: Db;
  config: Config;
  log: (message: string) => void;
}

/** One feature's sample data. Each must be idempotent: running the seed twice adds nothing. */
export interface Seeder {
  name: string;
  run(ctx: SeedContext): Promise<{ created: number }>;
}

/** Features add their seeders here as they land (accounts, customers and loans, …). */
export const seeders: Seeder[] = [];

export async function runSeeds(ctx: SeedContext): Promise<{ name: string; created: number }[]> {
  const report: { name: string; created: number }[] = [];
  for (const seeder of seeders) {
    const { created } = await seeder.run(ctx);
    report.push({ name: seeder.name, created });
  }
  return report;
}
