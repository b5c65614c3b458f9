import type { AppModule } from "../index.js";
import { healthRoutes } from "./routes.js";

/** Liveness and readiness, at the root for load balancers. */
export const healthModule: AppModule = {
  name: "health",
  routes: [{ prefix: "", plugin: healthRoutes }],
};
