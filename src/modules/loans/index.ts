import type { AppModule } from "../index.js";
import { loanRoutes } from "./routes.js";

/** Loans and their arrears. */
export const loansModule: AppModule = {
  name: "loans",
  routes: [{ prefix: "/api", plugin: loanRoutes }],
};
