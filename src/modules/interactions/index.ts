import type { AppModule } from "../index.js";
import { interactionRoutes } from "./routes.js";

/** Contacts with customers, logged by hand or by post-call, and their corrections. */
export const interactionsModule: AppModule = {
  name: "interactions",
  routes: [{ prefix: "/api", plugin: interactionRoutes }],
};
