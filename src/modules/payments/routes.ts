import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readServices } from "../../db/read-routing.js";
import { requestContext } from "../auth/request.js";
import type { Services } from "../../services.js";
import { IdParams } from "../loans/schemas.js";
import { PaymentBody, PaymentList, PaymentListQuery, PaymentResult } from "./schemas.js";
import { listPaymentViews, recordPayment } from "./service.js";
import { errorResponses } from "../../lib/http-schemas.js";

const tags = ["payments"];
const security = [{ bearerAuth: [] }];

export const paymentRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/loans/:id/payments",
    {
      onRequest: [app.authenticate, app.requireRole("supervisor")],
      schema: {
        tags,
        security,
        summary: "Record a payment (supervisor): updates balance, arrears and status in one transaction",
        description:
          "201 with the payment and the updated loan. A repeated `reference` returns the original payment with 200 and changes nothing. 400 when the amount is ≤ 0 or above the outstanding balance.",
        params: IdParams,
        body: PaymentBody,
        response: { 200: PaymentResult, 201: PaymentResult, ...errorResponses("NOT_FOUND", "CONFLICT") },
      },
    },
    async (request, reply) => {
      const result = await recordPayment(services, request.params.id, request.body, requestContext(request));
      return reply.status(result.created ? 201 : 200).send({ ...result.payment, loan: result.loan });
    },
  );

  app.get(
    "/loans/:id/payments",
    {
      onRequest: [app.authenticate, app.requireRole("agent")],
      schema: {
        tags,
        security,
        summary: "A loan's payments, newest first",
        params: IdParams,
        querystring: PaymentListQuery,
        response: { 200: PaymentList, ...errorResponses("NOT_FOUND") },
      },
    },
    async (request) => listPaymentViews(await readServices(request, services), request.params.id, request.query),
  );
};
