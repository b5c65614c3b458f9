import { readFileSync } from "node:fs";

/** package.json sits two levels up from both src/lib and dist/lib. */
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  name: string;
};

export const APP_VERSION = pkg.version;
export const APP_NAME = pkg.name;
