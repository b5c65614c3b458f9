import type { AppModule } from "../index.js";
import { auditRoutes } from "./routes.js";

/** The audit log and the sign-in history, with CSV export. */
export const auditModule: AppModule = {
  name: "audit",
  routes: [{ prefix: "/api/admin", plugin: auditRoutes }],
};
