import type { AppModule } from "../index.js";
import { apiKeyRoutes } from "./routes.js";

/** Integration keys for dialers and bots. */
export const apiKeysModule: AppModule = {
  name: "api-keys",
  routes: [{ prefix: "/api/admin", plugin: apiKeyRoutes }],
};
