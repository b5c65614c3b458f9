import type { AppModule } from "../index.js";
import { emailVerificationRoutes } from "./routes.js";

/** Verifying an account's email address by code. */
export const emailVerificationModule: AppModule = {
  name: "email-verification",
  routes: [{ prefix: "/api/auth", plugin: emailVerificationRoutes }],
};
