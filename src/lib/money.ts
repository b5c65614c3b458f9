import { Type } from "typebox";

/**
 * Money is a decimal string with at most two decimals ("1250.00"); arithmetic happens on integer
 * centimes (BigInt), never on floats.
 */
export const Money = Type.String({
  pattern: "^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$",
  description: 'Decimal string, at most 2 decimals (DZD), e.g. "1250.00"',
  examples: ["1250.00"],
});

export function toCents(value: string): bigint {
  const negative = value.startsWith("-");
  const [whole = "0", fraction = ""] = value.replace(/^-/, "").split(".");
  const cents = BigInt(whole) * 100n + BigInt((fraction + "00").slice(0, 2));
  return negative ? -cents : cents;
}

export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

/** Normalises any accepted input ("12", "12.5") to two decimals ("12.00", "12.50"). */
export const formatMoney = (value: string) => fromCents(toCents(value));

export const maxCents = (a: bigint, b: bigint) => (a > b ? a : b);
