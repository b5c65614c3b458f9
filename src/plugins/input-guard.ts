import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError, type ErrorDetail } from "../lib/errors.js";

/** Deeper bodies are refused: nothing legitimate nests this far, and recursive code downstream would overflow. */
export const MAX_JSON_DEPTH = 32;

/** A string PostgreSQL cannot store (NUL) or that is not valid Unicode (a lone UTF-16 surrogate). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const pointer = (base: string, key: string | number) =>
  `${base}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;

/** A name echoed back in an error, with the characters that made it invalid replaced. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const printable = (name: string) => name.replace(/[\u0000\ud800-\udfff]/g, "\ufffd");

function badString(value: string): string | undefined {
  const match = UNSTORABLE.exec(value);
  if (!match) return undefined;
  return match[0] === "\u0000"
    ? "must not contain a NUL character (\\u0000)"
    : "must not contain a lone UTF-16 surrogate";
}

/**
 * Walks a parsed JSON value without recursion (so depth itself cannot overflow the stack) and
 * returns the first problem: a string or key PostgreSQL would refuse, or nesting past the limit.
 */
export function findJsonProblem(root: unknown, maxDepth = MAX_JSON_DEPTH): ErrorDetail | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === "string") {
      const problem = badString(value);
      if (problem) return { path: path || "/", message: problem };
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= maxDepth) return { path: path || "/", message: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: pointer(path, i), depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = badString(key);
      if (keyProblem) return { path: pointer(path, printable(key)), message: `(the field name) ${keyProblem}` };
      stack.push({ value: item, path: pointer(path, key), depth: depth + 1 });
    }
  }
  return undefined;
}

function checkStrings(where: "query" | "params", values: unknown): void {
  if (!values || typeof values !== "object") return;
  for (const [key, raw] of Object.entries(values)) {
    const keyProblem = badString(key);
    if (keyProblem)
      throw invalid(where, { path: pointer("", printable(key)), message: `(the parameter name) ${keyProblem}` });
    for (const value of [raw].flat()) {
      const problem = typeof value === "string" ? badString(value) : undefined;
      if (problem) throw invalid(where, { path: pointer("", key), message: problem });
    }
  }
}

function invalid(where: string, detail: ErrorDetail) {
  return new AppError(
    "VALIDATION_ERROR",
    `Invalid ${where === "params" ? "path parameter" : where === "query" ? "querystring" : "body"}: ${detail.path} ${detail.message}`,
    {
      details: [detail],
    },
  );
}

/** The query parameters a route declares; undefined when it takes any (hidden, internal routes). */
function declaredQuery(request: FastifyRequest): Set<string> | undefined {
  const schema = request.routeOptions.schema as
    { hide?: boolean; querystring?: { properties?: Record<string, unknown> } } | undefined;
  if (!request.routeOptions.url || schema?.hide) return undefined;
  return new Set(Object.keys(schema?.querystring?.properties ?? {}));
}

/**
 * Input is checked once, where it enters, so no handler or query ever sees a value PostgreSQL
 * refuses (a 500) or a parameter the route silently ignores (a filter that filters nothing):
 * JSON bodies (strings, keys, depth), query strings and path parameters. Only JSON bodies are
 * accepted; anything else is 415. Must be registered before the routes.
 */
export function registerInputGuard(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    parseJson(request, body as string, (err, value) => {
      if (err) return done(err, undefined);
      const problem = findJsonProblem(value);
      if (problem) return done(invalid("body", problem), undefined);
      done(null, value);
    });
  });

  app.addHook("onRequest", async (request) => {
    checkStrings("params", request.params);
    checkStrings("query", request.query);
    const declared = declaredQuery(request);
    if (!declared) return;
    const unknown = Object.keys(request.query as Record<string, unknown>).filter((k) => !declared.has(k));
    if (unknown.length > 0) {
      throw new AppError(
        "VALIDATION_ERROR",
        `Unknown query parameter${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`,
        {
          details: unknown.map((k) => ({ path: pointer("", k), message: "is not a query parameter of this route" })),
        },
      );
    }
  });
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a 100 kB query string overflows the
 * header limit) still get the one error shape.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "HEADERS_TOO_LARGE", "The request line or headers are too large (shorten the query string)"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "REQUEST_TIMEOUT", "The request took too long to arrive"]
        : [400, "VALIDATION_ERROR", "The request is not valid HTTP"];
  const body = JSON.stringify({ error: { code, message }, requestId: randomUUID() });
  const reason =
    status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
