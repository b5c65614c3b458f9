import type { AppModule } from "../index.js";
import { customerRoutes } from "./routes.js";

/** Borrowers: CRUD, search and import. */
export const customersModule: AppModule = {
  name: "customers",
  routes: [{ prefix: "/api", plugin: customerRoutes }],
};
