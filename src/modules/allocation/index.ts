import type { AppModule } from "../index.js";
import { allocationAdminRoutes } from "./admin-routes.js";
import { allocationCrmRoutes } from "./routes.js";

/** Who calls whom: claims and next-call for agents and dialers; teams, assignments and the board. */
export const allocationModule: AppModule = {
  name: "allocation",
  routes: [
    { prefix: "/api", plugin: allocationCrmRoutes },
    { prefix: "/api", plugin: allocationAdminRoutes },
  ],
};
