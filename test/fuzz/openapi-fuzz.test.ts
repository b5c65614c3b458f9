import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.js";
import { createStaff, FAST_AUTH_ENV, signIn } from "../support/accounts.js";
import { buildTestApp, type TestApp } from "../support/app.js";
import { createCustomer, createLoan, LONG_SESSION_ENV } from "../support/crm.js";
import {
  malformedQueryValues,
  malformedValues,
  pick,
  type Rng,
  type Schema,
  seededRng,
  validValue,
} from "./generators.js";

/**
 * Walks every operation of /openapi.json (so a new route is covered without touching this file) and
 * sends generated malformed input signed in as an admin: wrong types, missing and extra fields, NUL
 * bytes, huge and negative numbers, bad cursors, deep nesting, each body field and each query
 * parameter one at a time. Any 5xx, or any non-2xx body outside the one error shape, fails.
 */
const SEED = 20_261_203;
/** Beyond the cases every operation always gets, a seeded sample of the rest up to this many. */
const MAX_CASES_PER_OPERATION = 50;

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; required: boolean; schema: Schema }[];
  body?: Schema;
}

let t: TestApp;
let auth: Record<string, string>;
const ids: string[] = [];

async function freshAdmin() {
  const { email } = await createStaff(t.app, { role: "admin", phone: null });
  auth = (await signIn(t.app, email)).auth;
}

beforeAll(async () => {
  t = await buildTestApp(
    {
      ...FAST_AUTH_ENV,
      ...LONG_SESSION_ENV,
      // The fuzz must reach the handlers, not stop at the limits that protect them.
      LOCKOUT_THRESHOLD: "100",
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: "100000",
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: "100000",
      RATE_LIMIT_REGISTER_PER_IP: "100000",
      RATE_LIMIT_OTP_PER_IP: "100000",
    },
    { clock: systemClock },
  );
  await freshAdmin();
  const customer = await createCustomer(t.app, auth);
  const loan = await createLoan(t.app, auth, customer.id, { amountOverdue: "11000.00", nextDueDate: "2026-01-01" });
  const me = (await t.app.inject({ method: "GET", url: "/api/auth/me", headers: auth })).json() as {
    id?: string;
    user?: { id: string };
  };
  ids.push(customer.id, loan.id, me.user?.id ?? me.id ?? customer.id, "00000000-0000-4000-8000-000000000000");
}, 60_000);
afterAll(async () => t?.close());

function resolve(doc: Record<string, unknown>, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  const parts = schema.$ref.replace(/^#\//, "").split("/");
  return parts.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc) as Schema;
}

function operationsOf(
  doc: { paths: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown>,
): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const params = (op.parameters ?? []) as { in: string; name: string; required?: boolean; schema: Schema }[];
      const body = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content?.[
        "application/json"
      ]?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        query: params
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, required: Boolean(p.required), schema: resolve(doc, p.schema) ?? {} })),
        body: resolve(doc, body),
      });
    }
  }
  return ops;
}

const enc = (v: string) => encodeURIComponent(v);

/** Every malformed variant of one operation, built lazily from the seeded generator. */
function casesFor(op: Operation, rng: Rng): InjectOptions[] {
  const url = (pathValues: Record<string, string>, query: Record<string, string>) => {
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name] ?? pick(rng, ids));
    const qs = Object.entries(query)
      .map(([k, v]) => `${enc(k)}=${v}`)
      .join("&");
    return qs ? `${path}?${qs}` : path;
  };
  const validQuery = () =>
    Object.fromEntries(
      op.query
        .filter((q) => q.required || rng() < 0.3)
        .map((q) => [q.name, enc(String(validValue(q.schema, q.name, rng)))]),
    );
  const bodySchema = op.body;
  const validBody = () => (bodySchema ? (validValue(bodySchema, "body", rng) as Record<string, unknown>) : undefined);
  const cases: InjectOptions[] = [];
  /** Always sent: a NUL byte and a wrong type in every field and query parameter, each missing required field. */
  const always = new Set<InjectOptions>();
  const must = (opts: Parameters<typeof push>[0]) => {
    push(opts);
    always.add(cases.at(-1)!);
  };
  const push = (opts: {
    path?: Record<string, string>;
    query?: Record<string, string>;
    payload?: unknown;
    headers?: Record<string, string>;
  }) =>
    cases.push({
      method: op.method as InjectOptions["method"],
      url: url(opts.path ?? {}, opts.query ?? validQuery()),
      ...(opts.payload !== undefined ? { payload: opts.payload as InjectOptions["payload"] } : {}),
      headers: {
        ...(opts.payload !== undefined && typeof opts.payload === "object"
          ? { "content-type": "application/json" }
          : {}),
        ...opts.headers,
      },
    });

  must({ payload: validBody() });
  for (const q of op.query) {
    must({ query: { ...validQuery(), [q.name]: "a%00b" }, payload: validBody() });
    must({
      query: {
        ...validQuery(),
        [q.name]: q.name === "cursor" ? malformedQueryValues("cursor").at(-1)! : "x".repeat(600),
      },
      payload: validBody(),
    });
  }
  for (const [field, schema] of Object.entries(op.body?.properties ?? {})) {
    must({ payload: { ...validBody(), [field]: "a\u0000b" } });
    must({
      payload: { ...validBody(), [field]: (resolve({}, schema)?.type ?? "string") === "string" ? 12345 : "wrong type" },
    });
  }
  for (const name of op.pathParams) {
    for (const bad of [
      "not-a-uuid",
      "%00",
      "a%00b",
      "x".repeat(90),
      "-1",
      "%ED%A0%80",
      "00000000-0000-0000-0000-000000000000",
    ]) {
      push({ path: { [name]: bad }, payload: validBody() });
    }
  }
  for (const q of op.query) {
    for (const bad of malformedQueryValues(q.name))
      push({ query: { ...validQuery(), [q.name]: bad }, payload: validBody() });
  }
  push({ query: { ...validQuery(), fuzzUnknown: "1" }, payload: validBody() });
  if (bodySchema) {
    const props = bodySchema.properties ?? {};
    for (const [field, schema] of Object.entries(props)) {
      for (const bad of malformedValues(resolve({}, schema) ?? {})) push({ payload: { ...validBody(), [field]: bad } });
      if ((bodySchema.required ?? []).includes(field)) {
        const body = validBody() ?? {};
        delete body[field];
        push({ payload: body });
      }
    }
    push({ payload: { ...validBody(), fuzzExtra: "\u0000" } });
    for (const whole of [[], null, "string", 42, {}, malformedValues({ type: "object" }).at(-1)])
      push({ payload: JSON.stringify(whole), headers: { "content-type": "application/json" } });
    push({ payload: "{not json", headers: { "content-type": "application/json" } });
    push({ payload: "a=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    push({ payload: "plain", headers: { "content-type": "text/plain" } });
  }
  // A fixed sample per operation keeps the run short while every kind of case gets its turn.
  const shuffled = cases
    .map((c) => ({ c, k: rng() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.c);
  return [
    ...always,
    ...shuffled.filter((c) => !always.has(c)).slice(0, Math.max(0, MAX_CASES_PER_OPERATION - always.size)),
  ];
}

function outsideErrorShape(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return "not JSON";
  }
  const p = parsed as { error?: { code?: unknown; message?: unknown }; requestId?: unknown };
  if (typeof p?.error?.code !== "string" || typeof p.error.message !== "string" || typeof p.requestId !== "string")
    return "not the error shape";
  return undefined;
}

describe("fuzzing every operation of /openapi.json", () => {
  it("never answers 5xx, and every error is in the one error shape", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(50);
    const rng = seededRng(SEED);
    const failures: string[] = [];
    let sent = 0;
    for (const op of operations) {
      for (const request of casesFor(op, rng)) {
        let res = await t.app.inject({
          ...request,
          headers: { ...auth, ...(request.headers as Record<string, string>) },
        });
        sent += 1;
        // An operation can end the fuzzing admin's own session or role (logout, demotion): start a new one.
        if (res.statusCode === 401 || res.statusCode === 403) {
          await freshAdmin();
          res = await t.app.inject({
            ...request,
            headers: { ...auth, ...(request.headers as Record<string, string>) },
          });
          sent += 1;
        }
        const where = `${request.method} ${String(request.url).slice(0, 200)} ${JSON.stringify(request.payload ?? null).slice(0, 200)}`;
        if (res.statusCode >= 500) failures.push(`${res.statusCode} ← ${where}: ${res.body.slice(0, 300)}`);
        else if (res.statusCode >= 300 && res.statusCode !== 304) {
          const problem = outsideErrorShape(res.body);
          if (problem) failures.push(`${res.statusCode} ${problem} ← ${where}: ${res.body.slice(0, 300)}`);
        }
      }
    }
    console.info(`openapi fuzz: ${operations.length} operations, ${sent} requests, seed ${SEED}`);
    expect(sent).toBeGreaterThan(2000);
    expect(failures.slice(0, 30)).toEqual([]);
  }, 120_000);
});
