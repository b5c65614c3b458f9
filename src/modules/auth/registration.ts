import { AppError, rateLimited } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { startEmailVerification } from "../email-verification/service.js";
import { createUser, type NewUser } from "../users/service.js";

/** Self-registration: always as an agent; closed entirely with REGISTRATION=closed. */
export async function register(services: Services, input: Omit<NewUser, "role">, ctx: RequestContext) {
  const { config, limiter } = services;
  if (config.REGISTRATION === "closed") {
    throw new AppError("REGISTRATION_CLOSED", "Registration is closed; ask an administrator for an account");
  }
  const wait = await limiter.hit(`register:ip:${ctx.ip}`, config.RATE_LIMIT_REGISTER_PER_IP, config.RATE_LIMIT_WINDOW_SECONDS);
  if (wait) {
    throw rateLimited(wait);
  }
  const user = await createUser(services, { ...input, role: "agent" }, ctx, "auth.register");
  // After the account is committed: a mail failure is reported, never a lost registration.
  const verificationEmailSent = await startEmailVerification(services, user, ctx);
  return { user, verificationEmailSent };
}
