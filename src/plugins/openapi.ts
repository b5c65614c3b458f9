import swagger from "@fastify/swagger";
import scalar from "@scalar/fastify-api-reference";
import type { FastifyInstance } from "fastify";
import { APP_NAME, APP_VERSION } from "../lib/version.js";

/**
 * The OpenAPI 3.1 document is generated from the route schemas, so it cannot drift from what the
 * server validates and serialises. Must be registered before any route.
 */
export async function registerOpenApi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Collections CRM API",
        version: APP_VERSION,
        description:
          "Backend of a CRM for loan-collection call centres: accounts and security, customers, loans, " +
          "payments, interactions and the calling workflow. Errors always have the shape " +
          '`{"error":{"code","message","details"},"requestId"}`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        },
      },
    },
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await app.register(scalar, {
    routePrefix: "/docs",
    configuration: { url: "/openapi.json", title: `${APP_NAME} API reference` },
  });
}
