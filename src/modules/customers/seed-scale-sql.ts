import { MOBILE_PREFIXES } from "./seed-data.js";

/**
 * SQL text builders shared by the scale generator's statements. Everything they embed is ours
 * (constants, column names), never user input.
 */

/**
 * A deterministic pseudo-random integer in [0, mod) from a sequence number and a salt: the same
 * customer number always gets the same name and loans, whatever the batch size or engine
 * (hashint8 is identical in PostgreSQL and PGlite). Salts below 64 keep the inputs distinct.
 */
export const h = (expr: string, salt: number, mod: number | string) =>
  `((hashint8((${expr}) * 64 + ${salt}) & 2147483647) % ${mod})`;
export const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A constant array to index with `[1 + h(...)]`. */
export const arr = (values: readonly (string | number)[]) =>
  `(array[${values.map((v) => (typeof v === "number" ? String(v) : quote(v))).join(",")}])`;
export const pick = (values: readonly (string | number)[], expr: string, salt: number) =>
  `${arr(values)}[1 + ${h(expr, salt, values.length)}]`;

/** Customer n's mobile number: the sequence number in 7 digits keeps it unique. */
export const phoneOf = (n: string) => `'+213' || ${arr(MOBILE_PREFIXES)}[1 + ${n} % 3] || lpad(${n}::text, 7, '0')`;

/** An agent id picked by hash from the demo agents, or null when there are none. */
export function agentPick(expr: string, agents: string): string {
  return agents === "" ? "null::uuid" : `(${agents})[1 + ${h(expr, 54, agents.split(",").length)}]`;
}
