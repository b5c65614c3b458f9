import type { AppModule } from "../index.js";
import { passwordResetRoutes } from "./routes.js";

/** Password reset by emailed code; its paths keep their full form (API and seed 004 mix). */
export const passwordResetModule: AppModule = {
  name: "password-reset",
  routes: [{ prefix: "", plugin: passwordResetRoutes }],
};
