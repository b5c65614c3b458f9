import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Services } from "../services.js";
import { accountModule } from "./account/index.js";
import { adminUsersModule } from "./admin-users/index.js";
import { allocationModule } from "./allocation/index.js";
import { apiKeysModule } from "./api-keys/index.js";
import { auditModule } from "./audit/index.js";
import { authModule } from "./auth/index.js";
import { callingModule } from "./calling/index.js";
import { consoleModule } from "./console/index.js";
import { customersModule } from "./customers/index.js";
import { emailVerificationModule } from "./email-verification/index.js";
import { healthModule } from "./health/index.js";
import { interactionsModule } from "./interactions/index.js";
import { loansModule } from "./loans/index.js";
import { mailModule } from "./mail/index.js";
import { passwordResetModule } from "./password-reset/index.js";
import { paymentsModule } from "./payments/index.js";
import { promisesModule } from "./promises/index.js";
import { securityModule } from "./security/index.js";
import { statsModule } from "./stats/index.js";

export interface ModuleOptions {
  services: Services;
  /** Where the built console is (tests point it at a fixture). */
  consoleDir?: string;
}

/** One route plugin of a module and the URL prefix its paths are relative to ("" for root paths). */
export interface RouteGroup {
  prefix: string;
  plugin: FastifyPluginAsyncTypebox<ModuleOptions>;
  /** Registered only outside production (the captured-mail viewer). */
  devOnly?: boolean;
}

/** A feature module as the app sees it: its `index.ts` exports one of these. */
export interface AppModule {
  name: string;
  routes: RouteGroup[];
}

/**
 * Every module with routes, in registration order (the OpenAPI document follows it). A new module adds
 * its entry here; the console stays last, its catch-all GET answering only what no API route matched.
 */
export const appModules: AppModule[] = [
  healthModule,
  authModule,
  accountModule,
  passwordResetModule,
  emailVerificationModule,
  customersModule,
  loansModule,
  paymentsModule,
  interactionsModule,
  callingModule,
  promisesModule,
  allocationModule,
  apiKeysModule,
  adminUsersModule,
  mailModule,
  statsModule,
  auditModule,
  securityModule,
  consoleModule,
];
