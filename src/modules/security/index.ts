import type { AppModule } from "../index.js";
import { securityRoutes } from "./routes.js";

/** Suspicious-activity findings. */
export const securityModule: AppModule = {
  name: "security",
  routes: [{ prefix: "/api/admin", plugin: securityRoutes }],
};
