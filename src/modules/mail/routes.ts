import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Services } from "../../services.js";

const OutboxEntry = Type.Object({
  id: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
  sentAt: Type.String({ format: "date-time" }),
});

/** Development only (never registered in production): the console transport's latest messages. */
export const devOutboxRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    "/outbox",
    {
      schema: {
        tags: ["development"],
        summary: "Latest emails of the console transport (EMAIL_USER unset), newest first",
        response: { 200: Type.Object({ transport: Type.String(), data: Type.Array(OutboxEntry) }) },
      },
    },
    async () => {
      // Mail is delivered by the outbox worker: deliver what is due first, so the list is current.
      await services.mailOutbox.drain();
      return { transport: services.mailer.kind, data: services.mailer.outbox() };
    },
  );
};
