import type { Seeder } from "../../db/seed.js";
import type { UserRole } from "../../db/schema/index.js";
import { findUserByEmail } from "./repository.js";
import { createUser } from "./service.js";

/** Demo staff for exploring the API. Their passwords are public, so production never gets them. */
export const DEMO_STAFF: { email: string; name: string; phone: string; role: UserRole; password: string }[] = [
  {
    email: "admin@demo.crm.dz",
    name: "Nadia Admin",
    phone: "+213661000001",
    role: "admin",
    password: "Demo-Admin-Kasbah-2026",
  },
  {
    email: "supervisor@demo.crm.dz",
    name: "Karim Supervisor",
    phone: "+213661000002",
    role: "supervisor",
    password: "Demo-Super-Oasis-2026",
  },
  {
    email: "agent1@demo.crm.dz",
    name: "Amina Agent",
    phone: "+213661000003",
    role: "agent",
    password: "Demo-Agent-Cedar-2026",
  },
  {
    email: "agent2@demo.crm.dz",
    name: "Yacine Agent",
    phone: "+213661000004",
    role: "agent",
    password: "Demo-Agent-Dunes-2026",
  },
];

export const demoStaffSeeder: Seeder = {
  name: "demo staff",
  async run({ services, log }) {
    if (services.config.isProduction) {
      log("demo staff: skipped in production (create the first admin with `crm user create-admin`)");
      return { created: 0 };
    }
    let created = 0;
    for (const member of DEMO_STAFF) {
      if (await findUserByEmail(services.db, member.email)) continue;
      await createUser(services, { ...member, emailVerified: true }, null, "user.created");
      created += 1;
    }
    if (created > 0 && services.config.NODE_ENV === "development") {
      log("demo staff logins (development only):");
      for (const m of DEMO_STAFF) log(`  ${m.role.padEnd(10)} ${m.email}  /  ${m.password}`);
    }
    return { created };
  },
};
