import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { DbOrTx } from "../../db/client.js";
import type { UserRole } from "../../db/schema/index.js";
import { AppError } from "../../lib/errors.js";
import { requestContext } from "../auth/request.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import { IdParams } from "../loans/schemas.js";
import { enqueueMail } from "../mail/outbox.js";
import { accountNoticeEmail } from "../users/notices.js";
import { findUserById, type UserRow } from "../users/repository.js";
import { Role } from "../users/schemas.js";
import { approveAsAgent, approvePending } from "./repository.js";
import { AdminUserView } from "./schemas.js";
import { adminViews } from "./service.js";
import { errorResponses } from "../../lib/http-schemas.js";

/** An admin-created account without an initial password: the owner proves the address, then resets. */
export function accountSetupEmail(to: string) {
  const text = [
    `An account was created for you (${to}).`,
    'First confirm this address with the code in the other email we sent you. Then, to choose your password, use "Forgot password" on the sign-in screen: a code will be emailed to you.',
  ].join("\n\n");
  const html = `<p>An account was created for you (${to}).</p><p>First confirm this address with the code in the other email we sent you. Then, to choose your password, use <strong>Forgot password</strong> on the sign-in screen: a code will be emailed to you.</p>`;
  return { to, subject: "Your collections CRM account", text, html };
}

/**
 * REGISTRATION_AUTO_APPROVE_DOMAINS: a pending account whose address of one of those domains has
 * just been verified is approved as an agent. Runs in the verification's transaction.
 */
export async function autoApproveByDomain(
  services: Services,
  tx: DbOrTx,
  user: UserRow,
  address: string,
  ctx: RequestContext | null,
) {
  const domain = address.slice(address.lastIndexOf("@") + 1);
  if (user.approvedAt || !services.config.REGISTRATION_AUTO_APPROVE_DOMAINS.includes(domain)) return;
  const now = services.clock.now();
  await approveAsAgent(tx, user.id, now);
  await recordAudit(
    tx,
    { ...ctx, actorId: null, actorType: "system" },
    {
      action: "user.approved",
      entityType: "user",
      entityId: user.id,
      details: { role: "agent", by: "auto_approve_domain", domain },
    },
  );
}

/** An admin lets a pending self-registered account in, with the role it will have. */
export async function approveUser(services: Services, id: string, role: UserRole, ctx: RequestContext) {
  const { db, clock } = services;
  const now = clock.now();
  const updated = await db.transaction(async (tx) => {
    // Conditional on still pending: of two admins approving at once, one approval is made and audited.
    const row = await approvePending(tx, id, { role, approvedBy: ctx.actorId ?? null }, now);
    if (!row) {
      if (!(await findUserById(tx, id))) throw new AppError("NOT_FOUND", "User not found");
      throw new AppError("CONFLICT", "The account is already approved");
    }
    await recordAudit(tx, ctx, {
      action: "user.approved",
      entityType: "user",
      entityId: id,
      details: { role, by: "admin" },
    });
    await enqueueMail(
      tx,
      { ...accountNoticeEmail(row.email, "account_approved", role), kind: "account_approved", userId: id },
      now,
    );
    return row;
  });
  services.mailOutbox.wake();
  return (await adminViews(db, [updated], now))[0]!;
}

export const approvalRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/users/:id/approve",
    {
      onRequest: [app.authenticate, app.requireRole("admin")],
      schema: {
        tags: ["administration"],
        security: [{ bearerAuth: [] }],
        summary:
          "Approve a self-registered account (REGISTRATION=approval), with its role; 409 CONFLICT if already approved",
        params: IdParams,
        body: Type.Object({ role: Role }, { additionalProperties: false }),
        response: { 200: AdminUserView, ...errorResponses("NOT_FOUND", "CONFLICT") },
      },
    },
    async (request) => approveUser(services, request.params.id, request.body.role, requestContext(request)),
  );
};
