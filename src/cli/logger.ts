import type { ServiceLogger } from "../services.js";

/** Services log through this in the CLI: warnings to stderr, mail (console transport) to stdout. */
export const cliLogger: ServiceLogger = {
  warn: (_obj, msg) => console.warn(msg),
  info: (obj, msg) => console.log(msg, JSON.stringify(obj)),
};
