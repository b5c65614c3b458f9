import type { AppModule } from "../index.js";
import { dispositionAdminRoutes } from "./disposition-admin-routes.js";
import { callingRoutes } from "./routes.js";

/** Pre-call, post-call, dispositions (and their administration) and the worklist. Its routes keep their full paths (prefix ""). */
export const callingModule: AppModule = {
  name: "calling",
  routes: [
    { prefix: "", plugin: callingRoutes },
    { prefix: "", plugin: dispositionAdminRoutes },
  ],
};
