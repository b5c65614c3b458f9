import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "../../lib/errors.js";
import type { Services } from "../../services.js";
import { ConsoleConfig } from "./schemas.js";

/** console/dist at the repository root: the same two levels up from src/ and from dist/. */
export const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../console/dist");

/** Paths that belong to the server, never to the single-page app's client routes. */
const SERVER_PREFIXES = ["/api/", "/docs", "/openapi.json", "/health", "/ready", "/assets/"];

/**
 * The web console: its built files at `/`, and `index.html` for any other GET a browser navigates to
 * (client routes such as /customers/…). Unknown /api/… paths, and requests not asking for HTML,
 * keep the JSON 404.
 */
export const consoleRoutes: FastifyPluginAsyncTypebox<{ services: Services; root?: string }> = async (
  app,
  { services, root = CONSOLE_DIR },
) => {
  app.get(
    "/api/console/config",
    {
      schema: {
        tags: ["console"],
        summary: "What the web console needs before sign-in: timezone, currency, languages, features",
        response: { 200: ConsoleConfig },
      },
    },
    async () => ({
      timezone: services.config.CENTRE_TIMEZONE,
      currency: "DZD" as const,
      languages: ["en" as const, "fr" as const],
      accessTokenTtlSeconds: services.config.ACCESS_TOKEN_TTL_SECONDS,
      features: { nextCall: app.hasRoute({ method: "POST", url: "/api/crm/next-call" }) },
    }),
  );

  const built = existsSync(path.join(root, "index.html"));
  if (built) {
    // wildcard: false serves exactly the files of the build (hashed names under /assets/ never change).
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: ["index.html"],
      setHeaders: (res, file) => {
        const immutable = file.includes(`${path.sep}assets${path.sep}`);
        res.header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  }

  app.get("/*", { schema: { hide: true } }, async (request, reply) => {
    const url = request.url.split("?")[0] ?? "/";
    const notFound = new AppError("NOT_FOUND", `Route ${request.method} ${url} not found`);
    // Only a browser navigating (Accept: text/html) gets the app; any other client keeps the JSON 404.
    const navigating = String(request.headers.accept ?? "").includes("text/html");
    if (!navigating || SERVER_PREFIXES.some((p) => url.startsWith(p)) || path.extname(url) !== "") throw notFound;
    if (!built) throw new AppError("NOT_FOUND", "The web console is not built: run `npm run build:console`");
    reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html");
  });
};
