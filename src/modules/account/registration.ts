import { rateLimited } from "../../lib/errors.js";
import { mapPostgresError } from "../../lib/error-mapping.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { startEmailVerification } from "../email-verification/service.js";
import { enqueueMail } from "../mail/outbox.js";
import { accountNoticeEmail } from "../users/notices.js";
import { assertAcceptablePassword, hashPassword } from "../users/password.js";
import { normalizeStaffPhone } from "../users/phone-policy.js";
import { findUserByEmail, findUserByPhone, type UserRow } from "../users/repository.js";
import { createUser, type NewUser } from "../users/service.js";

export const REGISTRATION_RECEIVED = "Registration received" as const;

export type RegistrationOutcome = { kind: "created"; user: UserRow } | { kind: "received" };

/**
 * Self-registration, always as an agent (issue 11).
 * - `open` (development default): the account is usable at once; 201 with the user.
 * - `approval` (production default): a new account waits for an admin (403 ACCOUNT_PENDING_APPROVAL
 *   outside its profile until then).
 * - `closed`: nothing is created.
 * Under `approval` and `closed` every registration answers 202 "Registration received", after the
 * same work (password checks and a hash), whether the email or phone is new or already belongs to
 * someone: that owner gets a notice instead, so registration does not tell who works here.
 */
export async function register(
  services: Services,
  input: Omit<NewUser, "role">,
  ctx: RequestContext,
): Promise<RegistrationOutcome> {
  const { config, limiter } = services;
  const wait = await limiter.hit(
    `register:ip:${ctx.ip}`,
    config.RATE_LIMIT_REGISTER_PER_IP,
    config.RATE_LIMIT_WINDOW_SECONDS,
  );
  if (wait) throw rateLimited(wait);
  const verify = (tx: Parameters<typeof startEmailVerification>[1], user: UserRow) =>
    startEmailVerification(services, tx, user.id, user.email, ctx);

  if (config.REGISTRATION === "open") {
    const user = await createUser(services, { ...input, role: "agent" }, ctx, "auth.register", verify);
    services.mailOutbox.wake();
    return { kind: "created", user };
  }

  const email = input.email.trim().toLowerCase();
  const phone = input.phone ? await normalizeStaffPhone(services.db, input.phone, config.PHONE_POLICY) : null;
  const owners = await existingOwners(services, email, phone);
  if (config.REGISTRATION === "approval" && owners.length === 0) {
    try {
      await createUser(services, { ...input, role: "agent", pendingApproval: true }, ctx, "auth.register", verify);
      services.mailOutbox.wake();
      return { kind: "received" };
    } catch (err) {
      // Another registration took the address or phone meanwhile: answer as for any duplicate.
      if (mapPostgresError(err)?.code !== "CONFLICT") throw err;
    }
  }
  // The same cost as creating an account, so the answer's timing does not tell either.
  assertAcceptablePassword(input.password, [email, input.name.trim()]);
  await hashPassword(input.password, config.BCRYPT_COST);
  await notifyOwners(services, await existingOwners(services, email, phone), ctx);
  return { kind: "received" };
}

async function existingOwners(services: Services, email: string, phone: string | null): Promise<UserRow[]> {
  const byEmail = await findUserByEmail(services.db, email);
  const byPhone = phone ? await findUserByPhone(services.db, phone) : undefined;
  return [byEmail, byPhone].filter(
    (u, i, all): u is UserRow => u !== undefined && all.findIndex((o) => o?.id === u.id) === i,
  );
}

async function notifyOwners(services: Services, owners: UserRow[], ctx: RequestContext) {
  const now = services.clock.now();
  await services.db.transaction(async (tx) => {
    await recordAudit(
      tx,
      { ...ctx, actorId: null },
      {
        action: owners.length > 0 ? "auth.register_duplicate" : "auth.register_refused",
        entityType: "user",
        entityId: owners[0]?.id ?? null,
        details: { mode: services.config.REGISTRATION, owners: owners.map((o) => o.id) },
      },
    );
    for (const owner of owners) {
      await enqueueMail(
        tx,
        { ...accountNoticeEmail(owner.email, "registration_attempt"), kind: "registration_notice", userId: owner.id },
        now,
      );
    }
  });
  services.mailOutbox.wake();
}
