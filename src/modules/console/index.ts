import type { AppModule } from "../index.js";
import { consoleRoutes } from "./routes.js";

/** The web console and its start-up settings. Last in the list: its catch-all GET takes what no API route matched. */
export const consoleModule: AppModule = {
  name: "console",
  routes: [
    { prefix: "", plugin: (app, { services, consoleDir }) => consoleRoutes(app, { services, root: consoleDir }) },
  ],
};
