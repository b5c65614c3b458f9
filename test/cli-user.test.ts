import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { DEMO_STAFF } from "../src/modules/users/seed.js";
import { createTestDatabase, type TestDatabase, testConfig } from "./support/app.js";
import { crm as runCrm } from "./support/cli.js";

let target: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  // Migrated already (as after `crm db migrate`), and on disk for PGlite: each command opens it anew.
  target = await createTestDatabase({ migrated: true, onDisk: true });
  env = { ...target.env, BCRYPT_COST: "4", NODE_ENV: "test" };
});
afterAll(async () => target.drop());

const crm = (args: string[], input?: string) => runCrm(args, env, input);

describe("crm user create-admin and db seed", () => {
  it("creates the first admin from a password on stdin, refusing a weak one", async () => {
    const weak = await crm(
      ["user", "create-admin", "--email", "root@crm.dz", "--name", "Root", "--password-stdin"],
      "secret\n",
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("Password rejected");

    const ok = await crm(
      [
        "user",
        "create-admin",
        "--email",
        "Root@CRM.dz",
        "--name",
        "Root Admin",
        "--phone",
        "0661 00 00 99",
        "--password-stdin",
      ],
      "Sahara-Lighthouse-Vault-31\n",
    );
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/created admin root@crm\.dz/);
    expect(ok.stdout).not.toContain("Sahara");

    const again = await crm(
      ["user", "create-admin", "--email", "root@crm.dz", "--name", "Root", "--password-stdin"],
      "Sahara-Lighthouse-Vault-31\n",
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("CONFLICT");
  });

  it("db seed adds the demo staff once and prints no passwords outside development", async () => {
    const first = await crm(["db", "seed"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("demo staff: 4 created");
    expect(first.stdout).not.toContain(DEMO_STAFF[0]!.password);
    const second = await crm(["db", "seed"]);
    expect(second.stdout).toContain("demo staff: 0 created");
  });

  it("the admin and the demo staff can sign in", async () => {
    const app = await buildApp(testConfig(env));
    try {
      const admin = await app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { emailOrPhone: "0661000099", password: "Sahara-Lighthouse-Vault-31" },
      });
      expect(admin.statusCode).toBe(200);
      expect(admin.json().user.role).toBe("admin");
      for (const member of DEMO_STAFF) {
        const res = await app.inject({
          method: "POST",
          url: "/api/auth/login",
          payload: { email: member.email, password: member.password },
        });
        expect(res.json().user?.role, member.email).toBe(member.role);
      }
    } finally {
      await app.close();
    }
  });

  it("crm cleanup prints what it would remove, then what it removed, per table; crm stats prints the figures", async () => {
    const dry = await crm(["cleanup", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/cleanup_old_audit_logs\s+audit_logs\s+would remove 0/);
    const real = await crm(["cleanup"]);
    expect(real.stdout).toMatch(/cleanup_expired_refresh_tokens\s+refresh_tokens\s+removed \d+/);
    const stats = await crm(["stats", "--days", "3"]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/active users:\s+\d+/);
    expect(stats.stdout).toContain("sign-ins over the last 3 day(s)");
    expect((await crm(["stats", "--days", "0"])).code).toBe(1);
  });
});
