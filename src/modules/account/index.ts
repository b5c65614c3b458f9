import type { AppModule } from "../index.js";
import { legacyAccountRoutes, registrationRoutes } from "./registration-routes.js";
import { accountRoutes } from "./routes.js";

/** The signed-in user's own account (profile, password) and self-registration, with seed 004's forms. */
export const accountModule: AppModule = {
  name: "account",
  routes: [
    { prefix: "/api/auth", plugin: accountRoutes },
    { prefix: "/api/auth", plugin: registrationRoutes },
    { prefix: "", plugin: legacyAccountRoutes },
  ],
};
