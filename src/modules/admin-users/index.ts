import type { AppModule } from "../index.js";
import { approvalRoutes } from "./approval.js";
import { adminUserRoutes } from "./routes.js";

/** Accounts as administrators manage them: list, create, edit, lock, approve; phone prefixes. */
export const adminUsersModule: AppModule = {
  name: "admin-users",
  routes: [
    { prefix: "/api/admin", plugin: adminUserRoutes },
    { prefix: "/api/admin", plugin: approvalRoutes },
  ],
};
