/**
 * Generated input for the OpenAPI fuzz test: a valid-looking value for a JSON schema, and malformed
 * variants of it. Everything is driven by one seeded generator so a failure reproduces exactly.
 */

export type Rng = () => number;

/** mulberry32: small, fast and deterministic. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

export interface Schema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
  $ref?: string;
}

const PATTERN_CANDIDATES = [
  "100.00",
  "1",
  "0661234567",
  "+213661234567",
  "08:00-20:00",
  "DZD",
  "abc",
  "2026-01-01",
  "0661",
  "A1",
];

/** A value the schema accepts (as far as can be told without a regex generator). */
export function validValue(schema: Schema, name: string, rng: Rng, depth = 0): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(rng, schema.enum);
  if (schema.default !== undefined && rng() < 0.3) return schema.default;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const nonNull = alternatives.filter((s) => s.type !== "null");
    return validValue(pick(rng, nonNull.length > 0 ? nonNull : alternatives), name, rng, depth);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string":
      return validString(schema, name);
    case "integer":
    case "number": {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? Math.max(min + 10, 10);
      return Math.min(max, min + Math.floor(rng() * Math.min(10, max - min + 1)));
    }
    case "boolean":
      return rng() < 0.5;
    case "array": {
      if (depth > 4) return [];
      const n = Math.max(schema.minItems ?? 0, 1);
      return Array.from({ length: n }, () => validValue(schema.items ?? {}, name, rng, depth + 1));
    }
    case "object": {
      if (depth > 4) return {};
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(key) || rng() < 0.5) out[key] = validValue(prop, key, rng, depth + 1);
      }
      return out;
    }
    default:
      return "x";
  }
}

function validString(schema: Schema, name: string): string {
  const lower = name.toLowerCase();
  let value: string;
  if (schema.format === "uuid") value = "00000000-0000-4000-8000-000000000000";
  else if (schema.format === "date-time") value = new Date(Date.UTC(2026, 0, 5, 10)).toISOString();
  else if (schema.format === "date") value = "2026-01-20";
  else if (schema.format === "email" || lower.includes("email")) value = "fuzz@example.dz";
  else if (lower.includes("phone")) value = "0661234567";
  else if (lower.includes("password")) value = "Fuzz-Horse-Battery-Staple-9";
  else if (schema.pattern) {
    const re = new RegExp(schema.pattern);
    value = PATTERN_CANDIDATES.find((c) => re.test(c)) ?? "x";
  } else value = "fuzz value";
  if (schema.maxLength !== undefined && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  if (schema.minLength !== undefined && value.length < schema.minLength) value = value.padEnd(schema.minLength, "x");
  return value;
}

const deep = (levels: number): unknown => {
  let v: unknown = "bottom";
  for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v];
  return v;
};

/** Values of the wrong shape or out of every sensible range, for one field. */
export function malformedValues(schema: Schema): unknown[] {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const common: unknown[] = [null, true, {}, [], "", "\u0000", "a\ud800b", deep(64)];
  switch (type) {
    case "string":
      return [
        ...common,
        12345,
        "x".repeat(100_000),
        "a\u0000b",
        "' or 1=1 --",
        "-1",
        "1e309",
        "9".repeat(400),
        "../../etc/passwd",
        "2026-02-30",
        "not-a-uuid",
        "\u202e\ufeff",
      ];
    case "integer":
    case "number":
      return [...common, -1, -(2 ** 63), 2 ** 63, 1e308, 1.5, Number.MAX_SAFE_INTEGER + 2, "12", "NaN", "Infinity"];
    case "boolean":
      return [...common, "yes", 2, "true\u0000"];
    case "array":
      return [...common, "x", Array.from({ length: 10_000 }, () => "x"), [deep(40)], ["\u0000"]];
    case "object":
      return [...common, "x", 1, { __proto__: { admin: true } }, { constructor: { prototype: { x: 1 } } }];
    default:
      return common;
  }
}

/** Query-string versions: everything arrives as text. */
export function malformedQueryValues(name: string): string[] {
  const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const base = [
    "",
    "%00",
    "a%00b",
    "%ED%A0%80",
    "-1",
    "99999999999999999999",
    "1.5",
    "abc",
    "x".repeat(2000),
    "%FF",
    "true",
    "null",
    "[]",
    "2026-13-45",
  ];
  if (name === "cursor") {
    return [
      ...base,
      cursor(["garbage", "x"]),
      cursor([null, null]),
      cursor([1]),
      cursor(["x", "y", "z"]),
      cursor({}),
      "!!!!",
      cursor(["2026-01-01T00:00:00.000Z", "00000000-0000-4000-8000-000000000000", 1]),
    ];
  }
  return base;
}
