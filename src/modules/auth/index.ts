import type { AppModule } from "../index.js";
import { legacyAuthRoutes } from "./legacy-routes.js";
import { authRoutes } from "./routes.js";

/** Sign-in, refresh, sign-out and sessions (the session check itself is auth/guard.ts). */
export const authModule: AppModule = {
  name: "auth",
  routes: [
    { prefix: "/api/auth", plugin: authRoutes },
    { prefix: "", plugin: legacyAuthRoutes },
  ],
};
