import type { AppModule } from "../index.js";
import { emailOutboxRoutes } from "./admin-routes.js";
import { devOutboxRoutes } from "./routes.js";

/** The mail outbox for operators; in development, the captured mail. */
export const mailModule: AppModule = {
  name: "mail",
  routes: [
    { prefix: "/api/admin", plugin: emailOutboxRoutes },
    { prefix: "/api/dev", plugin: devOutboxRoutes, devOnly: true },
  ],
};
