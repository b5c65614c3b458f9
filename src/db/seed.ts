import type { Database } from "./client.js";
import { withAdvisoryLock } from "./locks.js";
import { sampleCustomersSeeder } from "../modules/customers/seed-sample.js";
import { demoStaffSeeder } from "../modules/users/seed.js";
import type { Services } from "../services.js";
import { LOCK_KEYS } from "./lock-keys.js";

export interface SeedContext {
  services: Services;
  log: (message: string) => void;
}

/** One feature's sample data. Each must be idempotent: running the seed twice adds nothing. */
export interface Seeder {
  name: string;
  run(ctx: SeedContext): Promise<{ created: number }>;
}

/** In dependency order: staff before the customers and interactions they own. */
export const seeders: Seeder[] = [demoStaffSeeder, sampleCustomersSeeder];

export async function runSeeds(ctx: SeedContext): Promise<{ name: string; created: number }[]> {
  const report: { name: string; created: number }[] = [];
  for (const seeder of seeders) {
    const { created } = await seeder.run(ctx);
    report.push({ name: seeder.name, created });
  }
  return report;
}

const SEED_LOCK_KEY = LOCK_KEYS.seed;

/**
 * The seeders check, then insert; two instances starting together on a fresh database would both
 * find nothing and both insert (one dying on a unique violation). The advisory lock makes the second
 * wait for the first and then find everything there.
 */
export function runSeedsLocked(database: Pick<Database, "withConnection" | "engine">, ctx: SeedContext) {
  return withAdvisoryLock(database, SEED_LOCK_KEY, () => runSeeds(ctx));
}
