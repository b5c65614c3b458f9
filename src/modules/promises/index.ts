import type { AppModule } from "../index.js";
import { promiseRoutes } from "./routes.js";

/** Promises to pay: made by post-call, listed per loan, judged kept or broken by the periodic job. */
export const promisesModule: AppModule = {
  name: "promises",
  routes: [{ prefix: "/api", plugin: promiseRoutes }],
};
