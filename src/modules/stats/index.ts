import type { AppModule } from "../index.js";
import { statsRoutes } from "./routes.js";

/** Figures for supervisors. */
export const statsModule: AppModule = {
  name: "stats",
  routes: [{ prefix: "/api/admin/stats", plugin: statsRoutes }],
};
