import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Services } from "../../services.js";

/** Teams, assignments, the summary and the live board. */
export const allocationAdminRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async () => {};
