import type { AppModule } from "../index.js";
import { paymentRoutes } from "./routes.js";

/** Payments against a loan. */
export const paymentsModule: AppModule = {
  name: "payments",
  routes: [{ prefix: "/api", plugin: paymentRoutes }],
};
