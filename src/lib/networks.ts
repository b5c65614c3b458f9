import { BlockList, isIP } from "node:net";

/**
 * A client address as stored and counted: always a parsed address, IPv4-mapped IPv6 written as
 * IPv4 (so `::ffff:10.0.0.1` and `10.0.0.1` share one rate-limit counter), or null when none is known.
 */
export function normalizeIp(value: string | undefined | null): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  return isIP(trimmed) ? trimmed.toLowerCase() : null;
}

/** One address or CIDR block (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`), or an explanation of why not. */
function parseNetwork(entry: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | string {
  const [address = "", prefixText, ...rest] = entry.split("/");
  const version = isIP(address);
  if (rest.length > 0 || version === 0) return `"${entry}" is not an address or CIDR block`;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  ) {
    return `"${entry}" has a prefix length outside 0-${max}`;
  }
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** Splits a comma-separated list of addresses and CIDR blocks; returns the problems instead of throwing. */
export function parseNetworkList(value: string | undefined): { entries: string[]; problems: string[] } {
  const entries = (value ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  const problems = entries.map(parseNetwork).filter((r): r is string => typeof r === "string");
  return { entries, problems };
}

/** Membership test for a validated list (see parseNetworkList); an empty list matches nothing. */
export function networkMatcher(entries: readonly string[]): (ip: string | null) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const net = parseNetwork(entry);
    if (typeof net === "string") throw new Error(net);
    list.addSubnet(net.address, net.prefix, net.family);
  }
  return (ip) => {
    const address = normalizeIp(ip);
    if (!address) return false;
    return list.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * TRUST_PROXY as Fastify takes it. A hop count becomes a function trusting that many hops nearest the
 * server (Fastify 5 reads a bare number as "trust nothing"); an address list is compiled by Fastify.
 */
export function fastifyTrustProxy(
  value: false | number | string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === "number") return value === 0 ? false : (_address: string, hop: number) => hop < value;
  return value;
}
