import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses } from "../../lib/http-schemas.js";
import type { Services } from "../../services.js";
import { requestContext } from "../auth/request.js";
import { createDisposition, listDispositionsForAdmin, patchDisposition } from "./disposition-admin.js";
import {
  DispositionAdminList,
  DispositionAdminView,
  DispositionCodeParams,
  DispositionCreateBody,
  DispositionPatchBody,
} from "./disposition-schemas.js";

const tags = ["administration: dispositions"];
const security = [{ bearerAuth: [] }];

/** The call outcomes as reference data: a centre adds its own, relabels, reorders or retires them (admin). */
export const dispositionAdminRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = [app.authenticate, app.requireRole("admin")];

  app.get(
    "/api/admin/dispositions",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Every call outcome, retired ones too, in picker order (admin)",
        response: { 200: DispositionAdminList },
      },
    },
    async () => ({ data: await listDispositionsForAdmin(services) }),
  );

  app.post(
    "/api/admin/dispositions",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Add a centre's own call outcome (admin, audited)",
        description:
          "It counts as a contact / right-party contact as declared and has no other effect; the built-in outcomes' effects (promise, dispute, do-not-call, wrong number, callback) are code. 409 when the code exists.",
        body: DispositionCreateBody,
        response: { 201: DispositionAdminView, ...errorResponses("CONFLICT") },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDisposition(services, request.body, requestContext(request))),
  );

  app.patch(
    "/api/admin/dispositions/:code",
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: "Relabel, reorder, retire (isActive false) or re-count a call outcome (admin, audited)",
        params: DispositionCodeParams,
        body: DispositionPatchBody,
        response: { 200: DispositionAdminView, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => patchDisposition(services, request.params.code, request.body, requestContext(request)),
  );
};
