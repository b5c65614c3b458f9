import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { APP_VERSION } from "../lib/version.js";

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
          apiKey: {
            type: "apiKey",
            in: "header",
            name: "X-API-Key",
            description: "Integration key (dialers, voice bots); also accepted as a Bearer token",
          },
        },
      },
    },
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  // Swagger UI's assets ship in the package, so /docs works with no network (call-centre LANs).
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    uiConfig: { url: "/openapi.json", deepLinking: true, persistAuthorization: true },
  });
}
