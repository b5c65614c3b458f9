import { randomBytes } from "node:crypto";
import type { App } from "../../src/app.js";
import type { UserRole } from "../../src/db/schema/index.js";
import { createUser } from "../../src/modules/users/service.js";

/** Fast hashing for tests; the cost is a setting, the code path is the same. */
export const FAST_AUTH_ENV = { BCRYPT_COST: "4" };

export const STRONG_PASSWORD = "Correct-Horse-Battery-Staple-42";

let counter = 0;
/** A unique Mobilis number per call, so users never collide on phone. */
export function mobilisNumber(): string {
  counter += 1;
  const n = (Number.parseInt(randomBytes(2).toString("hex"), 16) * 100 + counter) % 10_000_000;
  return `+21366${String(n).padStart(7, "0")}`;
}

export async function createStaff(
  app: App,
  overrides: Partial<{
    email: string;
    password: string;
    name: string;
    phone: string | null;
    role: UserRole;
    emailVerified: boolean;
  }> = {},
) {
  const email = overrides.email ?? `staff-${randomBytes(5).toString("hex")}@example.dz`;
  const password = overrides.password ?? STRONG_PASSWORD;
  const user = await createUser(
    app.services,
    {
      email,
      password,
      name: overrides.name ?? "Test Staff",
      phone: overrides.phone === undefined ? mobilisNumber() : overrides.phone,
      role: overrides.role ?? "agent",
      // Staff made by an operator have proved addresses unless a test says otherwise (reset only mails those).
      emailVerified: overrides.emailVerified ?? true,
    },
    null,
    "user.created",
  );
  return { user, email, password };
}

export async function login(app: App, identifier: string, password: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { emailOrPhone: identifier, password },
    headers,
  });
}

/** Signs in and returns the token pair; fails the test if the login does not succeed. */
export async function signIn(app: App, identifier: string, password: string = STRONG_PASSWORD) {
  const res = await login(app, identifier, password);
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { token: string; refresh: string; user: { id: string } };
  return {
    token: body.token,
    refresh: body.refresh,
    userId: body.user.id,
    auth: { authorization: `Bearer ${body.token}` },
  };
}
